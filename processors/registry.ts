// The one file of processors/ that reaches into server/: it assembles the built-ins into the engine's registry
// (sdk/boundary.test.ts allows it by name).

import type { ProcessorDefinition, ServiceDefinition } from '../sdk';
import { ProcessorRegistry } from '../server/engine/processor-registry';
import { ServiceRegistry } from '../server/services/service-registry';
import { builtinServices } from '../services/registry';
import CompressContent from './compress-content';
import ConsumeAMQP from './consume-amqp';
import ConsumeKafka from './consume-kafka';
import ConsumeMQTT from './consume-mqtt';
import ConsumeNATS from './consume-nats';
import ControlRate from './control-rate';
import ConvertRecord from './convert-record';
import DetectDuplicate from './detect-duplicate';
import EvaluateJSONata from './evaluate-jsonata';
import ExecuteScript from './execute-script';
import GenerateFlowFile from './generate-flow-file';
import GetFile from './get-file';
import HashContent from './hash-content';
import InvokeHTTP from './invoke-http';
import ListenHTTP from './listen-http';
import ListenZeroMQ from './listen-zeromq';
import LogAttribute from './log-attribute';
import LookupRecord from './lookup-record';
import MergeContent from './merge-content';
import MergeRecord from './merge-record';
import PartitionRecord from './partition-record';
import PublishAMQP from './publish-amqp';
import PublishKafka from './publish-kafka';
import PublishMQTT from './publish-mqtt';
import PublishNATS from './publish-nats';
import PublishZeroMQ from './publish-zeromq';
import PutFile from './put-file';
import QueryRecord from './query-record';
import ReplaceText from './replace-text';
import RetryFlowFile from './retry-flow-file';
import RouteOnAttribute from './route-on-attribute';
import RouteOnContent from './route-on-content';
import SplitJSON from './split-json';
import SplitRecord from './split-record';
import SplitText from './split-text';
import TransformJSON from './transform-json';
import UpdateAttribute from './update-attribute';
import UpdateRecord from './update-record';
import ValidateJSON from './validate-json';
import ValidateRecord from './validate-record';
import WindowAggregate from './window-aggregate';

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
  ExecuteScript,
  SplitText,
  SplitJSON,
  MergeContent,
  ConvertRecord,
  UpdateRecord,
  ValidateRecord,
  LookupRecord,
  SplitRecord,
  MergeRecord,
  QueryRecord,
  PartitionRecord,
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
  ConsumeAMQP,
  PublishAMQP,
  ConsumeMQTT,
  PublishMQTT,
  ListenZeroMQ,
  PublishZeroMQ,
  ConsumeKafka,
  PublishKafka,
  WindowAggregate,
];

/** The built-in processor and service types, and `extra` ones (tests). */
export function createRegistry(
  extra: readonly ProcessorDefinition[] = [],
  extraServices: readonly ServiceDefinition[] = [],
): ProcessorRegistry {
  return new ProcessorRegistry(
    [...builtinProcessors, ...extra],
    new ServiceRegistry([...builtinServices, ...extraServices]),
  );
}
