import type { Flow } from '../../flows/flow-schema';
import type { ProcessorLogger } from '../engine/contract';
import { FlowEngine, type QueueFactory } from '../engine/flow-engine';
import type { ProcessorRegistry } from '../engine/processor-registry';
import type { ProvenanceStore } from '../engine/provenance';
import type { ValidationIssue } from '../validation/ajv';
import { validateFlow } from '../validation/flow-validator';

export class FlowValidationError extends Error {
  constructor(readonly issues: ValidationIssue[]) {
    super(`invalid flow: ${issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ')}`);
  }
}

export interface FlowManagerOptions {
  registry: ProcessorRegistry;
  provenance: ProvenanceStore;
  logger: ProcessorLogger;
  allowedDirs?: readonly string[];
  queueFactory?: QueueFactory;
}

/** The flows a server holds, each with its engine: what the API and the CLI drive. */
export class FlowManager {
  private readonly flows = new Map<string, { flow: Flow; engine: FlowEngine }>();

  constructor(readonly options: FlowManagerOptions) {}

  list(): Flow[] {
    return [...this.flows.values()].map((f) => f.flow);
  }

  get(id: string): Flow | undefined {
    return this.flows.get(id)?.flow;
  }

  engine(id: string): FlowEngine | undefined {
    return this.flows.get(id)?.engine;
  }

  /** Validates and adds (or replaces, stopping the old engine) a flow; throws FlowValidationError. */
  async put(input: unknown): Promise<Flow> {
    const check = validateFlow(input, this.options.registry, { allowedDirs: this.options.allowedDirs });
    if (!check.ok) throw new FlowValidationError(check.issues);
    const previous = this.flows.get(check.flow.id);
    if (previous) await previous.engine.stop();
    const engine = new FlowEngine(check.resolved, this.options.registry, {
      provenance: this.options.provenance,
      logger: this.options.logger,
      allowedDirs: this.options.allowedDirs,
      queueFactory: this.options.queueFactory,
    });
    this.flows.set(check.flow.id, { flow: check.flow, engine });
    return check.flow;
  }

  async start(id: string) {
    const entry = this.flows.get(id);
    if (!entry) throw new Error(`no flow "${id}"`);
    return entry.engine.start();
  }

  async stop(id: string): Promise<void> {
    await this.flows.get(id)?.engine.stop();
  }

  async remove(id: string): Promise<boolean> {
    const entry = this.flows.get(id);
    if (!entry) return false;
    await entry.engine.stop();
    this.flows.delete(id);
    return true;
  }

  async close(): Promise<void> {
    await Promise.all([...this.flows.values()].map((f) => f.engine.stop()));
  }
}
