/**
 * Runs one processor through a real Session, without a flow: enqueue inputs, trigger, then read what went
 * to each relationship and the provenance written. The harness processor tests use.
 */
import { parsedConfig } from '../engine/config-formats';
import type {
  DebugInput,
  ProcessorDefinition,
  ProcessorLogger,
  ProcessorStateValues,
  TriggerContext,
} from '../engine/contract';
import { relationshipsOf } from '../engine/contract';
import { type Attributes, type FlowFile, newFlowFile } from '../engine/flowfile';
import { ProcessorRegistry } from '../engine/processor-registry';
import type { NewProvenanceEvent } from '../engine/provenance';
import { type CommitResult, Session } from '../engine/session';
import { applyCommitWith } from '../engine/session-commit';
import { mountHttpListener } from '../runtime/http-listeners';
import type { ServiceLookup } from '../services/service-contract';
import { MemoryQueue } from '../storage/memory-queue';

export interface LogLine {
  level: string;
  obj: object;
  msg?: string;
}

export class ProcessorRunner<C = any, S = any> {
  readonly input = new MemoryQueue('input');
  readonly outputs = new Map<string, MemoryQueue>();
  readonly events: NewProvenanceEvent[] = [];
  readonly logs: LogLine[] = [];
  /** What the processor handed to `ctx.debug` (the flow's debug panel), in order. */
  readonly debugs: DebugInput[] = [];
  readonly config: C;
  readonly relationships: string[];
  private state: S | undefined;
  private started = false;
  private yielded = false;
  backPressured = false;
  /** How often the processor called `ctx.wake()`. */
  wakes = 0;
  private wakeWaiters: (() => void)[] = [];
  readonly logger: ProcessorLogger;
  /** The processor's committed state (session.setState); set it to start from a restored state. */
  savedState: ProcessorStateValues | undefined;

  constructor(
    readonly definition: ProcessorDefinition<C, S>,
    config: unknown = {},
    readonly options: {
      allowedDirs?: string[];
      flowId?: string;
      processorId?: string;
      /** State as if restored after a restart. */
      state?: ProcessorStateValues;
      /** Enabled service instances by id: what `ctx.services.get({service: id}, kind)` returns. */
      services?: Readonly<Record<string, unknown>>;
    } = {},
  ) {
    this.savedState = options.state;
    const registry = new ProcessorRegistry([definition as ProcessorDefinition]);
    const checked = registry.checkConfig(definition.type, config, '', options.allowedDirs ?? []);
    if (checked.issues.length > 0)
      throw new Error(`invalid config: ${checked.issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ')}`);
    this.config = parsedConfig<C>(definition.config, checked.config); // as the engine hands it: x-format values parsed
    this.relationships = relationshipsOf(definition, this.config).map((r) => r.name);
    for (const r of this.relationships) this.outputs.set(r, new MemoryQueue(r));
    const log =
      (level: string) =>
      (obj: object, msg?: string): void => {
        this.logs.push({ level, obj, msg });
      };
    this.logger = { info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') };
  }

  private setupContext() {
    return {
      flowId: this.options.flowId ?? 'test-flow',
      processorId: this.options.processorId ?? 'under-test',
      logger: this.logger,
      allowedDirs: this.options.allowedDirs ?? [],
      wake: () => {
        this.wakes++;
        for (const resolve of this.wakeWaiters.splice(0)) resolve();
      },
      getState: () => this.savedState,
      services: serviceLookupOf(this.options.services ?? {}),
      // As the engine: on the server's listener map (dispatchHttpListener reaches it), released at stop.
      mountHttp: (handler: Parameters<typeof mountHttpListener>[1]) => {
        const mount = mountHttpListener(this.options.processorId ?? 'under-test', handler);
        this.mounts.push(mount);
        return mount;
      },
      debug: (entry: DebugInput) => {
        this.debugs.push(entry);
      },
    };
  }

  private mounts: { unmount(): void }[] = [];

  /** Resolves at the processor's next `ctx.wake()` (a listener received data). */
  nextWake(): Promise<void> {
    return new Promise((resolve) => this.wakeWaiters.push(resolve));
  }

  async start(): Promise<this> {
    if (!this.started) {
      try {
        this.state = (await this.definition.setup?.(this.config, this.setupContext())) as S;
      } catch (err) {
        for (const mount of this.mounts.splice(0)) mount.unmount();
        throw err;
      }
      this.started = true;
    }
    return this;
  }

  async stop(): Promise<void> {
    if (this.started) await this.definition.teardown?.(this.state as S, this.setupContext());
    for (const mount of this.mounts.splice(0)) mount.unmount();
    this.started = false;
  }

  enqueue(content: Buffer | string = '', attributes: Attributes = {}): FlowFile {
    const ff = newFlowFile(content, attributes);
    this.input.offer([ff]);
    return ff;
  }

  /** One trigger in a new session: commit on success; on a throw, rollback (no penalty) and rethrow. */
  async trigger(): Promise<CommitResult & { yielded: boolean }> {
    await this.start();
    const session = new Session({
      flowId: this.options.flowId ?? 'test-flow',
      processorId: this.options.processorId ?? 'under-test',
      processorType: this.definition.type,
      relationships: new Set(this.relationships),
      routes: this.definition.routes === true,
      inputs: [this.input],
      outputs: new Map([...this.outputs].map(([name, q]) => [name, [q]])),
    });
    this.yielded = false;
    const ctx: TriggerContext<C, S> = {
      ...this.setupContext(),
      config: this.config,
      state: this.state as S,
      yield: () => {
        this.yielded = true;
      },
      isBackPressured: () => this.backPressured,
    };
    try {
      await this.definition.onTrigger(session, ctx);
      const apply = applyCommitWith((events) => {
        this.events.push(...events.toEvents());
      });
      const result = await session.commit(async (commit) => {
        await apply(commit);
        if (commit.state) this.savedState = commit.state;
      });
      return { ...result, yielded: this.yielded };
    } catch (err) {
      await session.rollback(0);
      throw err;
    }
  }

  /** Triggers until the input is empty (at most `max` times). */
  async run(max = 1000): Promise<void> {
    for (let i = 0; i < max && this.input.depth().count > 0; i++) await this.trigger();
  }

  /** FlowFiles sent to a relationship so far (taken off its queue). */
  transferred(relationship: string): FlowFile[] {
    const q = this.outputs.get(relationship);
    if (!q) throw new Error(`no relationship "${relationship}"; have ${this.relationships.join(', ')}`);
    const all: FlowFile[] = [];
    const got = q.take(Number.MAX_SAFE_INTEGER, Date.now());
    q.acknowledge(got);
    all.push(...got);
    this.kept.set(relationship, [...(this.kept.get(relationship) ?? []), ...all]);
    return this.kept.get(relationship)!;
  }

  private readonly kept = new Map<string, FlowFile[]>();

  provenance(): NewProvenanceEvent[] {
    return this.events;
  }
}

/** A ServiceLookup over given instances (by service id), for processor tests. */
export function serviceLookupOf(instances: Readonly<Record<string, unknown>>): ServiceLookup {
  return {
    get: <I>(reference: { service: string }) => {
      if (!Object.hasOwn(instances, reference.service))
        throw new Error(
          `no service "${reference.service}" (the runner has: ${Object.keys(instances).join(', ') || 'none'})`,
        );
      return instances[reference.service] as I;
    },
  };
}

export function processorRunner<C, S>(
  definition: ProcessorDefinition<C, S>,
  config: unknown = {},
  options: ProcessorRunner['options'] = {},
): ProcessorRunner<C, S> {
  return new ProcessorRunner(definition, config, options);
}

/** The issues `validateFlow` would report for this config (schema, then the processor's own checks). */
export function configIssues(
  definition: ProcessorDefinition,
  config: unknown,
  allowedDirs: readonly string[] = [],
): { path: string; message: string }[] {
  return new ProcessorRegistry([definition]).checkConfig(definition.type, config, '', allowedDirs).issues;
}

/**
 * The same processor, except that each trigger throws after its onTrigger ran while `fail()` is true: the
 * session then rolls back, which is how tests check afterRollback behaviour (nak, 500, forgotten keys).
 */
export function failingAfterTrigger<C, S>(
  definition: ProcessorDefinition<C, S>,
  fail: () => boolean,
  message = 'injected failure',
): ProcessorDefinition<C, S> {
  return {
    ...definition,
    async onTrigger(session, ctx) {
      await definition.onTrigger(session, ctx);
      if (fail()) throw new Error(message);
    },
  };
}
