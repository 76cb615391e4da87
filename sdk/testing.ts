/**
 * The SDK's test entry: the harness that runs one processor through a real session (`processorRunner`), config
 * checks (`configIssues`), and, for tests that run a processor inside a whole flow, the engine pieces
 * (`validateFlow`, `FlowEngine`, registries), plus `dispatchHttpListener` to reach a `ctx.mountHttp` handler as the
 * server's `/listen/:processorId` route does. Test code only (`*.test.ts`, `*test-kit.ts`): production code
 * imports sdk/index.ts, never this module (sdk/boundary.test.ts checks both).
 */

export { FlowEngine, silentLogger } from '../server/engine/flow-engine';
export { newFlowFile } from '../server/engine/flowfile';
export { ProcessorRegistry } from '../server/engine/processor-registry';
export { dispatchHttpListener, httpListenerIds } from '../server/runtime/http-listeners';
export { ServiceRegistry } from '../server/services/service-registry';
export {
  configIssues,
  failingAfterTrigger,
  type LogLine,
  ProcessorRunner,
  processorRunner,
  serviceLookupOf,
} from '../server/testing/processor-runner';
export { createAjv } from '../server/validation/ajv';
export { validateFlow } from '../server/validation/flow-validator';
