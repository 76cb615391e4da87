import type { ProcessorDefinition } from '../server/engine/contract';
import { ProcessorRegistry } from '../server/engine/processor-registry';
import GenerateFlowFile from './generate-flow-file';
import GetFile from './get-file';
import LogAttribute from './log-attribute';
import PutFile from './put-file';
import RouteOnAttribute from './route-on-attribute';
import UpdateAttribute from './update-attribute';

/** Every built-in processor type, in palette order. */
export const builtinProcessors: ProcessorDefinition[] = [
  GenerateFlowFile,
  GetFile,
  UpdateAttribute,
  RouteOnAttribute,
  LogAttribute,
  PutFile,
];

export function createRegistry(extra: readonly ProcessorDefinition[] = []): ProcessorRegistry {
  return new ProcessorRegistry([...builtinProcessors, ...extra]);
}
