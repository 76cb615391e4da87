import type { ProcessorDefinition } from '../server/engine/contract';
import { ProcessorRegistry } from '../server/engine/processor-registry';
import CompressContent from './compress-content';
import ConsumeNATS from './consume-nats';
import ControlRate from './control-rate';
import ConvertRecord from './convert-record';
import DetectDuplicate from './detect-duplicate';
import EvaluateJSONata from './evaluate-jsonata';
import GenerateFlowFile from './generate-flow-file';
import GetFile from './get-file';
import HashContent from './hash-content';
import InvokeHTTP from './invoke-http';
import ListenHTTP from './listen-http';
import LogAttribute from './log-attribute';
import MergeContent from './merge-content';
import PublishNATS from './publish-nats';
import PutFile from './put-file';
import ReplaceText from './replace-text';
import RetryFlowFile from './retry-flow-file';
import RouteOnAttribute from './route-on-attribute';
import RouteOnContent from './route-on-content';
import SplitJSON from './split-json';
import SplitText from './split-text';
import TransformJSON from './transform-json';
import UpdateAttribute from './update-attribute';
import ValidateJSON from './validate-json';

/** Every built-in processor type, in palette order: sources, transforms, routes, sinks. */
export const builtinProcessors: ProcessorDefinition[] = [
  GenerateFlowFile,
  GetFile,
  ListenHTTP,
  ConsumeNATS,
  UpdateAttribute,
  ReplaceText,
  TransformJSON,
  EvaluateJSONata,
  SplitText,
  SplitJSON,
  MergeContent,
  ConvertRecord,
  CompressContent,
  HashContent,
  ValidateJSON,
  RouteOnAttribute,
  RouteOnContent,
  DetectDuplicate,
  ControlRate,
  RetryFlowFile,
  PutFile,
  LogAttribute,
  InvokeHTTP,
  PublishNATS,
];

export function createRegistry(extra: readonly ProcessorDefinition[] = []): ProcessorRegistry {
  return new ProcessorRegistry([...builtinProcessors, ...extra]);
}
