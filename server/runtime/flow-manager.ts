import { type Flow, flowSchema, idPattern, type ResolvedFlow } from '../../flows/flow-schema';
import type { ProcessorLogger, ProcessorStateValues } from '../engine/contract';
import type { DebugLog } from '../engine/debug-log';
import { FlowEngine, type QueueFactory } from '../engine/flow-engine';
import type { FlowFile } from '../engine/flowfile';
import type { InjectInput } from '../engine/inject';
import type { ProcessorRegistry } from '../engine/processor-registry';
import type { ProvenanceEvent, ProvenanceStore } from '../engine/provenance';
import type { QueuedFlowFile } from '../engine/queue';
import type { CommitWriter } from '../engine/session-commit';
import type { FlowStatus } from '../engine/status';
import type { TapRegistry } from '../engine/tap';
import { checkProcessorConfig } from '../parameters/check-config';
import { buildParameterScope, type ParameterScope } from '../parameters/parameter-scope';
import { maskSensitive, withStoredSecrets } from '../parameters/sensitive-values';
import { enabledReferrers, serviceAt } from '../services/service-paths';
import type { FlowPersistence, FlowRuntimeState } from '../storage/flow-store';
import { createAjv, type ValidationIssue } from '../validation/ajv';
import { globalId } from '../validation/flatten-groups';
import { type FlowCheck, validateFlow } from '../validation/flow-validator';
import { checkNesting } from '../validation/nesting';
import { BulletinBoard } from './bulletin-board';
import { applyFlow, closeDroppedQueues, nonEmptyRemovals } from './engine-swap';
import { ConflictError, FlowValidationError, GoneError, NotFoundError } from './errors';
import { loadExamples } from './examples';
import {
  type Entry,
  type EntryView,
  type FlowChange,
  type FlowChangeAction,
  type FlowStatusView,
  type FlowSummary,
  statusViewOf,
  summaryOf,
} from './flow-entry';
import { KeyedLock } from './keyed-lock';
import { onlyLayoutChanged } from './layout-change';

export { ConflictError, FlowValidationError, GoneError, NotFoundError } from './errors';
export type { FlowChange, FlowChangeAction, FlowState, FlowStatusView, FlowSummary } from './flow-entry';

export interface FlowManagerOptions {
  registry: ProcessorRegistry;
  provenance: ProvenanceStore;
  logger: ProcessorLogger;
  allowedDirs?: readonly string[];
  /** The server requires a token: validation lets listeners bind beyond loopback. */
  authenticated?: boolean;
  /** `--parameters`: the value of every parameter of each name, in every context of every flow. */
  parameters?: Readonly<Record<string, string>>;
  queueFactory?: QueueFactory;
  /** Applies committed sessions (the durable repository); default: straight to the queues. */
  commitWriter?: CommitWriter;
  /** The content repository's read of a claim (durable repository only); undefined once it aged out. */
  contentOf?: (claim: string) => Buffer | undefined;
  /** Processor state restored by the repository. */
  processorState?: (flowId: string, processorId: string) => ProcessorStateValues | undefined;
  /** Where flows and their running state persist; without one, flows live in memory only. */
  store?: FlowPersistence;
  /**
   * False: keep, validate and persist flows (and their queue views) but run none in this process; cluster
   * workers run them. A flow's state is then what the user asked for. Default true.
   */
  runFlows?: boolean;
  /** Replaces each flow's engine status, e.g. by the cluster's aggregate. */
  statusSource?: (flowId: string, local: FlowStatus, now: number) => FlowStatus;
}

/** A service enabled or disabled: the stored definition changed, and applied if it validates. */
export interface ServiceToggle {
  /** Global id of the service. */
  serviceId: string;
  enabled: boolean;
  /** Whether the flow validates with the change (it is saved either way, as PUT saves). */
  valid: boolean;
  issues: ValidationIssue[];
}

/** 409: the service is referenced by enabled processors (or services); they are named. */
export class ServiceInUseError extends ConflictError {
  constructor(
    message: string,
    readonly processors: string[],
    readonly services: string[],
  ) {
    super(message);
  }
}

/** The global ids a group start or stop applied to, and the processors that failed to start. */
export interface GroupRunResult {
  processorIds: string[];
  failures: { processorId: string; error: string }[];
}

interface Checked {
  flow: Flow;
  resolved: ResolvedFlow;
}

/**
 * What a save that keeps invalid flows answers: a valid flow is the flow as saved (as `create`/`replace`
 * return it); an invalid one is stored too, without an engine, and named with every issue found.
 */
export type SaveOutcome = { valid: true; flow: Flow } | { valid: false; id: string; issues: ValidationIssue[] };

const validShape = createAjv().compile(flowSchema);
const ID = new RegExp(idPattern);

/**
 * The flows a server holds, each with its engine: the one place the API (and the CLI) drives flows through.
 * Every change to a flow runs under that flow's lock and is persisted before it is acknowledged.
 */
export class FlowManager {
  private readonly entries = new Map<string, Entry>();
  private readonly locks = new KeyedLock();
  private readonly listeners = new Set<(change: FlowChange) => void>();
  /** Every flow's bulletins, kept across stops and redefinitions. */
  readonly bulletins = new BulletinBoard();

  private readonly view: EntryView;

  constructor(readonly options: FlowManagerOptions) {
    this.view = { runsFlows: options.runFlows !== false, status: options.statusSource };
  }

  /** Loads the store (seeding it with the example flows the first time) and starts the flows that were running. */
  /**
   * Reads the stored flows (seeding the examples into a fresh store) and, unless `start` is false, starts the
   * ones that were running. A server passes false and calls `startLoaded()` once it listens: a flow that calls
   * the server itself (ListenHTTP, the orders example) must not start before the port is open.
   */
  async load(examplesDir?: string | false, options: { start?: boolean } = {}): Promise<void> {
    const store = this.options.store;
    if (!store) throw new Error('FlowManager.load needs a store');
    const contents = await store.open();
    for (const p of contents.problems)
      this.options.logger.warn({ file: p.file, err: p.message }, 'stored file not loaded; left in place');
    for (const stored of contents.flows) {
      this.entries.set(stored.id, this.build(stored.id, stored.json, contents.state[stored.id]));
    }
    if (contents.fresh && examplesDir) {
      for (const example of await loadExamples(examplesDir, this.options.logger)) {
        if (this.entries.has(example.id)) continue;
        await store.save(example.id, example.json);
        // Examples that talk to external brokers (RabbitMQ, MQTT, Kafka...) are loaded stopped: a first start
        // must not greet a new user with connection errors. The self-contained ones run at once.
        const running = !this.needsBrokers(example.json);
        this.entries.set(example.id, this.build(example.id, example.json, { running, stoppedProcessors: [] }));
      }
    }
    await this.persistState();
    if (options.start === false) this.starting = true;
    else await this.startLoaded();
  }

  /** Loaded with `start: false` and `startLoaded()` not finished yet (the server's /healthz answers 503). */
  starting = false;

  /** Starts the loaded flows that were running (see `load`). */
  async startLoaded(): Promise<void> {
    try {
      for (const entry of this.entries.values()) {
        if (entry.wantRunning && entry.engine) await this.startEngine(entry);
        else if (entry.wantRunning)
          this.options.logger.warn({ flow: entry.id, issues: entry.issues }, 'flow was running but is now invalid');
      }
    } finally {
      this.starting = false;
    }
  }

  private needsBrokers(json: unknown): boolean {
    const processors = (json as { processors?: { type?: unknown }[] }).processors ?? [];
    return processors.some((p) => this.options.registry.get(String(p.type))?.category === 'messaging');
  }

  onChange(listener: (change: FlowChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): FlowSummary[] {
    return [...this.entries.values()].map((e) => summaryOf(e, this.view));
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /**
   * The flow as saved (for a stored flow that no longer validates, its JSON as found), as it may be shown:
   * sensitive parameters carry `"set"` instead of their value (server/parameters/sensitive-values.ts).
   */
  get(id: string): unknown {
    return maskSensitive(this.entry(id).definition);
  }

  /** A written flow with the write-only rules of sensitive values applied against the stored flow of its id. */
  private withSecrets(input: unknown): unknown {
    const id = isObject(input) && typeof input.id === 'string' ? input.id : undefined;
    return withStoredSecrets(input, id === undefined ? undefined : this.entries.get(id)?.definition);
  }

  engine(id: string): FlowEngine | undefined {
    return this.entries.get(id)?.engine;
  }

  validate(input: unknown): { valid: boolean; issues: ValidationIssue[] } {
    const check = validateFlow(this.withSecrets(input), this.options.registry, {
      allowedDirs: this.options.allowedDirs,
      authenticated: this.options.authenticated,
      parameters: this.options.parameters,
      registerSecrets: false,
    });
    return check.ok ? { valid: true, issues: [] } : { valid: false, issues: check.issues };
  }

  /** Adds a new flow; 409 when the id is taken. */
  async create(input: unknown): Promise<Flow> {
    return this.createChecked(this.check(this.withSecrets(input)));
  }

  private createChecked(checked: Checked): Promise<Flow> {
    const id = checked.flow.id;
    return this.locks.run(id, async () => {
      if (this.entries.has(id)) throw new ConflictError(`a flow with id "${id}" already exists`);
      return this.install(checked);
    });
  }

  /** Replaces a flow; its queues (and their FlowFiles) carry over, and a running flow keeps running. */
  async replace(id: string, input: unknown): Promise<Flow> {
    return this.replaceChecked(id, this.check(this.withSecrets(input)));
  }

  private replaceChecked(id: string, checked: Checked): Promise<Flow> {
    if (checked.flow.id !== id) throw mismatch(id);
    return this.locks.run(id, async () => {
      this.entry(id);
      return this.install(checked);
    });
  }

  /**
   * Creates a flow as `create` does, but stores one that does not validate too (as NiFi does), as long as it
   * is a JSON object with a usable id: it gets no engine, cannot start, and its status names every issue.
   * 400 (FlowValidationError) only for a body that is not an object or has no usable id; 409 when it exists.
   */
  async createKeepingInvalid(written: unknown): Promise<SaveOutcome> {
    const input = this.withSecrets(written);
    const check = this.fullCheck(input);
    if (check.ok) return { valid: true, flow: await this.createChecked(check) };
    const id = usableId(input, check.issues);
    return this.locks.run(id, async () => {
      if (this.entries.has(id)) throw new ConflictError(`a flow with id "${id}" already exists`);
      return this.storeInvalid(id, input, check.issues);
    });
  }

  /**
   * Replaces a flow as `replace` does, but stores a definition that does not validate too: the flow's engine
   * (if any) stops and is kept aside with its queues, the flow is "invalid" until a valid definition is saved,
   * which then applies to that engine (and starts it again if the flow was running).
   */
  async replaceKeepingInvalid(id: string, written: unknown): Promise<SaveOutcome> {
    const input = this.withSecrets(written);
    const check = this.fullCheck(input);
    if (check.ok) return { valid: true, flow: await this.replaceChecked(id, check) };
    if (usableId(input, check.issues) !== id) throw mismatch(id);
    return this.locks.run(id, async () => {
      this.entry(id);
      return this.storeInvalid(id, input, check.issues);
    });
  }

  /**
   * validateFlow, plus what it cannot say when the flow schema already fails (it stops there): the config
   * issues of every processor whose type is known, so a save names every problem at once.
   */
  private fullCheck(input: unknown): FlowCheck {
    const check = validateFlow(input, this.options.registry, {
      allowedDirs: this.options.allowedDirs,
      authenticated: this.options.authenticated,
      parameters: this.options.parameters,
    });
    if (check.ok || checkNesting(input) || validShape(input)) return check;
    const seen = new Set(check.issues.map((i) => `${i.path}\n${i.message}`));
    const issues = [...check.issues];
    const parameters = buildParameterScope(input, this.options.parameters);
    for (const issue of this.configIssues(input, '', 0, parameters)) {
      const key = `${issue.path}\n${issue.message}`;
      if (!seen.has(key)) issues.push(issue);
      seen.add(key);
    }
    return { ok: false, issues };
  }

  /** The config checks of each processor of a group (or the flow) and its groups, where the type is known. */
  private configIssues(scope: unknown, at: string, depth: number, parameters: ParameterScope): ValidationIssue[] {
    if (!isObject(scope) || depth > 16) return [];
    const issues: ValidationIssue[] = [];
    const processors = Array.isArray(scope.processors) ? scope.processors : [];
    processors.forEach((p: unknown, i) => {
      if (!isObject(p) || typeof p.type !== 'string' || !this.options.registry.get(p.type)) return;
      if (p.config !== undefined && !isObject(p.config)) return; // the schema layer said so already
      issues.push(
        ...checkProcessorConfig(
          this.options.registry,
          p.type,
          p.config,
          `${at}/processors/${i}/config`,
          parameters.binding(at),
          this.options,
        ).issues,
      );
    });
    const groups = Array.isArray(scope.groups) ? scope.groups : [];
    groups.forEach((g: unknown, i) => {
      issues.push(...this.configIssues(g, `${at}/groups/${i}`, depth + 1, parameters));
    });
    return issues;
  }

  /**
   * Saves a definition that does not validate; the flow's engine stops and waits for a valid one. Like a valid
   * save, it is refused (409) when it drops connections that still hold FlowFiles: checked before the engine
   * stops and again once it has (nothing can enter them then; a refusal starts it again). Under the lock.
   */
  private async storeInvalid(id: string, input: unknown, issues: ValidationIssue[]): Promise<SaveOutcome> {
    const old = this.entries.get(id);
    const engine = old?.engine ?? old?.parked;
    if (old && engine) {
      const kept = { connections: connectionIds(input).map((c) => ({ id: c })) } as unknown as ResolvedFlow;
      const refuse = () => {
        const blocked = nonEmptyRemovals(engine, kept);
        if (blocked.length > 0) throw new ConflictError('the new definition would drop queued FlowFiles', blocked);
      };
      refuse();
      const wasRunning = old.engine?.isRunning === true;
      await engine.stop();
      try {
        refuse();
        await this.options.store?.save(id, input);
      } catch (err) {
        if (wasRunning) await this.startEngine(old);
        throw err;
      }
    } else await this.options.store?.save(id, input);
    this.entries.set(id, {
      id,
      definition: input,
      parked: engine,
      issues,
      wantRunning: old?.wantRunning ?? false,
      stoppedProcessors: old?.stoppedProcessors ?? new Set(),
    });
    await this.persistState();
    this.emit(id, old ? 'updated' : 'created');
    return { valid: false, id, issues };
  }

  /** Creates, or replaces when `replace` is set (409 on an id clash otherwise). */
  async import(input: unknown, replace: boolean): Promise<{ flow: Flow; created: boolean }> {
    const checked = this.check(this.withSecrets(input));
    const id = checked.flow.id;
    return this.locks.run(id, async () => {
      const exists = this.entries.has(id);
      if (exists && !replace)
        throw new ConflictError(`a flow with id "${id}" already exists; add ?replace=true to replace it`);
      return { flow: await this.install(checked), created: !exists };
    });
  }

  private check(input: unknown): Checked {
    const check = validateFlow(input, this.options.registry, {
      allowedDirs: this.options.allowedDirs,
      authenticated: this.options.authenticated,
      parameters: this.options.parameters,
    });
    if (!check.ok) throw new FlowValidationError(check.issues);
    return { flow: check.flow, resolved: check.resolved };
  }

  /**
   * Saves the flow and runs it: a flow that has an engine gets the new definition applied to it as it runs
   * (only what changed restarts; see applyFlow), any other gets a new engine. Runs under the lock.
   */
  private async install(check: Checked): Promise<Flow> {
    const { flow } = check;
    const old = this.entries.get(flow.id);
    const oldEngine = old?.engine;
    // A moved card or a renamed flow changes nothing that runs: save it and keep the engine as it is.
    if (old && oldEngine && onlyLayoutChanged(old.definition, flow)) {
      await this.options.store?.save(flow.id, flow);
      old.definition = flow;
      this.emit(flow.id, 'updated');
      return flow;
    }
    if (old && oldEngine) return this.applyChange(old, oldEngine, check);
    // The first valid definition after an invalid one: it applies to the engine kept aside, as to a running one.
    if (old?.parked) return this.applyChange(old, old.parked, check);
    await this.options.store?.save(flow.id, flow);
    const engine = this.newEngine(check.resolved);
    const ids = new Set(check.resolved.processors.map((p) => p.id));
    const entry: Entry = {
      id: flow.id,
      definition: flow,
      engine,
      issues: [],
      wantRunning: old?.wantRunning ?? false,
      stoppedProcessors: new Set([...(old?.stoppedProcessors ?? [])].filter((p) => ids.has(p))),
    };
    this.entries.set(flow.id, entry);
    await this.persistState();
    if (entry.wantRunning) await this.startEngine(entry);
    this.emit(flow.id, old ? 'updated' : 'created');
    return flow;
  }

  /** A new definition of a flow that has an engine: applied to it, saved once nothing can refuse it any more. */
  private async applyChange(entry: Entry, engine: FlowEngine, check: Checked): Promise<Flow> {
    const { flow } = check;
    const ids = new Set(check.resolved.processors.map((p) => p.id));
    const stoppedProcessors = new Set([...entry.stoppedProcessors].filter((p) => ids.has(p)));
    const { failures } = await applyFlow(engine, check.resolved, {
      skip: stoppedProcessors,
      beforeChange: () => this.options.store?.save(flow.id, flow),
    });
    entry.definition = flow;
    entry.stoppedProcessors = stoppedProcessors;
    await this.persistState();
    for (const f of failures) this.options.logger.warn({ flow: flow.id, ...f }, 'processor failed to start');
    if (entry.parked === engine) {
      entry.engine = engine;
      entry.parked = undefined;
      entry.issues = [];
      if (entry.wantRunning) await this.startEngine(entry);
    }
    this.emit(flow.id, 'updated');
    return flow;
  }

  async start(id: string): Promise<{ failures: { processorId: string; error: string }[] }> {
    return this.locks.run(id, async () => {
      const entry = this.entry(id);
      if (!entry.engine)
        throw new ConflictError(
          `flow "${id}" is invalid and cannot start: ${describeIssues(entry.issues)}`,
          entry.issues,
        );
      entry.wantRunning = true;
      await this.persistState();
      const failures = entry.engine.isRunning ? [] : await this.startEngine(entry);
      this.emit(id, 'started');
      return { failures };
    });
  }

  async stop(id: string): Promise<void> {
    return this.locks.run(id, async () => {
      const entry = this.entry(id);
      entry.wantRunning = false;
      await this.persistState();
      await entry.engine?.stop();
      this.emit(id, 'stopped');
    });
  }

  async startProcessor(id: string, processorId: string): Promise<void> {
    return this.locks.run(id, async () => {
      const { entry, engine } = this.processorOf(id, processorId);
      const p = engine.processor(processorId);
      if (p.state === 'disabled')
        throw new ConflictError(`processor "${processorId}" is disabled; enable it in the flow definition first`);
      if (!this.isRunning(entry, engine))
        throw new ConflictError(`flow "${id}" is stopped; start the flow first (POST /api/flows/${id}/start)`);
      entry.stoppedProcessors.delete(processorId);
      await this.persistState();
      if (!this.view.runsFlows) {
        this.emit(id, 'processor-started');
        return;
      }
      try {
        await engine.startProcessor(processorId);
      } catch (err) {
        throw new ConflictError(`processor "${processorId}" failed to start: ${(err as Error).message}`);
      }
      this.emit(id, 'processor-started');
    });
  }

  /** Stops one processor; it stays stopped (also across flow and server restarts) until started again. */
  async stopProcessor(id: string, processorId: string): Promise<void> {
    return this.locks.run(id, async () => {
      const { entry, engine } = this.processorOf(id, processorId);
      entry.stoppedProcessors.add(processorId);
      await this.persistState();
      if (this.view.runsFlows) await engine.stopProcessor(processorId);
      this.emit(id, 'processor-stopped');
    });
  }

  /**
   * Starts every processor (ports and funnels included) of a group at any depth, as startProcessor does one:
   * the flow must be running; disabled processors are left as they are; failures are reported, not thrown.
   * `group` is the path of group ids from the flow down (["intake", "checks"]).
   */
  async startGroup(id: string, group: readonly string[]): Promise<GroupRunResult> {
    return this.locks.run(id, async () => {
      const { entry, engine, processorIds } = this.groupOf(id, group);
      if (!this.isRunning(entry, engine))
        throw new ConflictError(`flow "${id}" is stopped; start the flow first (POST /api/flows/${id}/start)`);
      const started = processorIds.filter((pid) => engine.processor(pid).state !== 'disabled');
      for (const pid of started) entry.stoppedProcessors.delete(pid);
      await this.persistState();
      const failures: { processorId: string; error: string }[] = [];
      if (this.view.runsFlows)
        for (const pid of started)
          await engine.startProcessor(pid).catch((err: unknown) => {
            failures.push({ processorId: pid, error: err instanceof Error ? err.message : String(err) });
          });
      for (const f of failures) this.options.logger.warn({ flow: id, ...f }, 'processor failed to start');
      this.emit(id, 'processor-started');
      return { processorIds, failures };
    });
  }

  /** Stops every processor of a group at any depth; each stays stopped until started again (see stopProcessor). */
  async stopGroup(id: string, group: readonly string[]): Promise<GroupRunResult> {
    return this.locks.run(id, async () => {
      const { entry, engine, processorIds } = this.groupOf(id, group);
      for (const pid of processorIds) entry.stoppedProcessors.add(pid);
      await this.persistState();
      if (this.view.runsFlows) for (const pid of processorIds) await engine.stopProcessor(pid);
      this.emit(id, 'processor-stopped');
      return { processorIds, failures: [] };
    });
  }

  /**
   * Sets `enabled` of a service in the stored definition and applies it as a save does (the running flow enables
   * or disables it live). `path` is the group ids from the flow down, then the service id. Disabling a service
   * that enabled processors (or enabled services) reference is refused (409) naming them.
   */
  async setServiceEnabled(id: string, path: readonly string[], enabled: boolean): Promise<ServiceToggle> {
    return this.locks.run(id, async () => {
      const entry = this.entry(id);
      const found = serviceAt(entry.definition, path);
      if (!found) throw new NotFoundError(`no service "${path.join('/')}" in flow "${id}"`);
      const name = path.join('/');
      if (!enabled) {
        const users = enabledReferrers(entry.definition, path, this.options.registry);
        if (users.processors.length > 0 || users.services.length > 0) {
          const named = [
            ...(users.processors.length > 0 ? [`enabled processors ${users.processors.join(', ')}`] : []),
            ...(users.services.length > 0 ? [`enabled services ${users.services.join(', ')}`] : []),
          ];
          throw new ServiceInUseError(
            `service "${name}" is referenced by ${named.join(' and ')}; disable them first`,
            users.processors,
            users.services,
          );
        }
      }
      const unchanged = (found.service.enabled !== false) === enabled;
      if (unchanged)
        return { serviceId: found.globalId, enabled, valid: entry.engine !== undefined, issues: entry.issues };
      const next = structuredClone(entry.definition);
      const service = serviceAt(next, path)!.service;
      service.enabled = enabled;
      const check = this.fullCheck(next);
      if (!check.ok) {
        await this.storeInvalid(id, next, check.issues);
        return { serviceId: found.globalId, enabled, valid: false, issues: check.issues };
      }
      if (check.flow.id !== id) throw mismatch(id);
      await this.install(check);
      return { serviceId: found.globalId, enabled, valid: true, issues: [] };
    });
  }

  /** Stops the flow, drops what its queues hold (DROP provenance) and deletes it from the store. */
  async remove(id: string): Promise<void> {
    return this.locks.run(id, async () => {
      const entry = this.entry(id);
      const engine = entry.engine ?? entry.parked;
      await engine?.stop();
      await this.options.store?.remove(id);
      this.entries.delete(id);
      await this.persistState();
      if (engine) {
        for (const c of engine.connections.keys()) await engine.emptyQueue(c);
        await closeDroppedQueues(engine, undefined);
      }
      this.emit(id, 'deleted');
    });
  }

  status(id: string, now = Date.now()): FlowStatusView {
    return statusViewOf(this.entry(id), now, this.view);
  }

  listQueue(id: string, connectionId: string, limit: number): Promise<QueuedFlowFile[]> {
    return this.connectionOf(id, connectionId).listQueue(connectionId, limit);
  }

  async queuedFlowFile(id: string, connectionId: string, flowFileId: string): Promise<FlowFile> {
    const ff = await this.connectionOf(id, connectionId).queuedFlowFile(connectionId, flowFileId);
    if (!ff) throw new NotFoundError(`no FlowFile "${flowFileId}" waiting in connection "${connectionId}"`);
    return ff;
  }

  listQuarantine(id: string, connectionId: string, limit: number): Promise<QueuedFlowFile[]> {
    return this.connectionOf(id, connectionId).listQuarantine(connectionId, limit);
  }

  /** Quarantined FlowFiles of a connection back into it ('requeue') or dropped ('drop'). */
  async releaseQuarantine(id: string, connectionId: string, action: 'requeue' | 'drop'): Promise<number> {
    const count = await this.connectionOf(id, connectionId).releaseQuarantine(connectionId, action);
    this.emit(id, 'queue-emptied');
    return count;
  }

  async emptyQueue(id: string, connectionId: string): Promise<number> {
    const dropped = await this.connectionOf(id, connectionId).emptyQueue(connectionId);
    this.emit(id, 'queue-emptied');
    return dropped;
  }

  /** The taps of a flow's connections (live watch; engine/tap.ts); 404 when the flow has no such connection. */
  taps(id: string, connectionId?: string): TapRegistry {
    const entry = this.entry(id);
    const engine = connectionId === undefined ? (entry.engine ?? entry.parked) : this.connectionOf(id, connectionId);
    if (!engine) throw new ConflictError(`flow "${id}" is invalid`, entry.issues);
    engine.taps.expire();
    return engine.taps;
  }

  /** What the flow's processors handed to `ctx.debug` (the debug panel); 409 when the flow never ran valid. */
  debugLog(id: string): DebugLog {
    const entry = this.entry(id);
    const engine = entry.engine ?? entry.parked;
    if (!engine) throw new ConflictError(`flow "${id}" is invalid`, entry.issues);
    return engine.debugLog;
  }

  /** One FlowFile a person puts into a connection (FlowEngine.inject); the flow need not run. */
  async inject(id: string, connectionId: string, input: InjectInput): Promise<FlowFile> {
    const ff = await this.connectionOf(id, connectionId).inject(connectionId, input);
    this.emit(id, 'updated');
    return ff;
  }

  /**
   * The content a provenance event saw: `input` (before the event) or `output` (after it). 404 when the event
   * kept none (in-memory mode, or a FlowFile that never reached a queue), 410 when it aged out of the archive.
   */
  async eventContent(
    eventId: number,
    side: 'input' | 'output',
  ): Promise<{ event: ProvenanceEvent; content: Buffer; claim?: string }> {
    const event = await this.options.provenance.get(eventId);
    if (!event) throw new NotFoundError(`no provenance event ${eventId}`);
    const claim = side === 'input' ? (event.previousContentClaim ?? event.contentClaim) : event.contentClaim;
    if (claim === undefined) {
      if (event.contentSize === 0) return { event, content: Buffer.alloc(0) };
      throw new NotFoundError(
        this.options.contentOf
          ? `event ${eventId} kept no content (its FlowFile never reached a queue)`
          : 'content is kept only with durable queues (this server runs with --queues memory)',
      );
    }
    const content = this.options.contentOf?.(claim);
    if (!content)
      throw new GoneError(
        `the content of event ${eventId} is no longer in the content archive (aged out); it cannot be shown or replayed`,
      );
    return { event, content, claim };
  }

  /** Replays a provenance event into the connection its processor takes input from (see FlowEngine.replay). */
  async replay(eventId: number, connectionId?: string): Promise<{ flowFileId: string; connectionId: string }> {
    const { event, content, claim } = await this.eventContent(eventId, 'input');
    return this.locks.run(event.flowId, async () => {
      const engine = this.entries.get(event.flowId)?.engine;
      if (!engine) throw new ConflictError(`flow "${event.flowId}" of event ${eventId} no longer exists or is invalid`);
      if (!engine.processors.has(event.componentId))
        throw new ConflictError(
          `"${event.componentId}" of event ${eventId} is not a processor of flow "${event.flowId}" now`,
        );
      try {
        const replayed = await engine.replay(event, content, connectionId, claim);
        this.emit(event.flowId, 'updated');
        return replayed;
      } catch (err) {
        throw new ConflictError((err as Error).message);
      }
    });
  }

  /** Stops every engine; the remembered running state is kept, so a restart resumes the same flows. */
  async close(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => (e.engine ?? e.parked)?.stop()));
  }

  private build(id: string, json: unknown, runtime: FlowRuntimeState | undefined): Entry {
    const check = validateFlow(json, this.options.registry, {
      allowedDirs: this.options.allowedDirs,
      authenticated: this.options.authenticated,
      parameters: this.options.parameters,
    });
    const issues = check.ok ? [] : check.issues;
    if (check.ok && check.flow.id !== id) issues.push({ path: '/id', message: `must be "${id}", the file's name` });
    return {
      id,
      definition: json,
      engine: check.ok && issues.length === 0 ? this.newEngine(check.resolved) : undefined,
      issues,
      wantRunning: runtime?.running ?? false,
      stoppedProcessors: new Set(runtime?.stoppedProcessors ?? []),
    };
  }

  private newEngine(resolved: ResolvedFlow): FlowEngine {
    return new FlowEngine(resolved, this.options.registry, {
      provenance: this.options.provenance,
      logger: this.options.logger,
      allowedDirs: this.options.allowedDirs,
      queueFactory: this.options.queueFactory,
      commitWriter: this.options.commitWriter,
      processorState: this.options.processorState && ((pid) => this.options.processorState!(resolved.id, pid)),
      onBulletin: (flowId, processor, bulletin) => this.bulletins.post(flowId, processor, bulletin),
    });
  }

  private isRunning(entry: Entry, engine: FlowEngine): boolean {
    return this.view.runsFlows ? engine.isRunning : entry.wantRunning;
  }

  private async startEngine(entry: Entry): Promise<{ processorId: string; error: string }[]> {
    if (!this.view.runsFlows) return [];
    const failures = (await entry.engine?.start({ skip: entry.stoppedProcessors })) ?? [];
    for (const f of failures) this.options.logger.warn({ flow: entry.id, ...f }, 'processor failed to start');
    return failures;
  }

  private entry(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new NotFoundError(`no flow "${id}"`);
    return entry;
  }

  private processorOf(id: string, processorId: string): { entry: Entry; engine: FlowEngine } {
    const entry = this.entry(id);
    if (!entry.engine) throw new ConflictError(`flow "${id}" is invalid`, entry.issues);
    if (!entry.engine.processors.has(processorId))
      throw new NotFoundError(`no processor "${processorId}" in flow "${id}"`);
    return { entry, engine: entry.engine };
  }

  /**
   * A group of the stored definition (404 when it has none at that path; 409 when the flow is invalid) and the
   * global ids of the processors, ports and funnels under it at any depth that the engine runs.
   */
  private groupOf(id: string, group: readonly string[]): { entry: Entry; engine: FlowEngine; processorIds: string[] } {
    const entry = this.entry(id);
    const scope = groupAt(entry.definition, group);
    if (!scope) throw new NotFoundError(`no group "${group.join('/')}" in flow "${id}"`);
    if (!entry.engine) throw new ConflictError(`flow "${id}" is invalid`, entry.issues);
    const engine = entry.engine;
    const processorIds = componentIds(scope, [...group]).filter((pid) => engine.processors.has(pid));
    return { entry, engine, processorIds };
  }

  /** An invalid flow's queues stay reachable (listed, emptied) on the engine kept aside for it. */
  private connectionOf(id: string, connectionId: string): FlowEngine {
    const entry = this.entry(id);
    const engine = entry.engine ?? entry.parked;
    if (!engine?.connections.has(connectionId))
      throw new NotFoundError(`no connection "${connectionId}" in flow "${id}"`);
    return engine;
  }

  private async persistState(): Promise<void> {
    if (!this.options.store) return;
    const state: Record<string, FlowRuntimeState> = {};
    for (const e of this.entries.values())
      state[e.id] = { running: e.wantRunning, stoppedProcessors: [...e.stoppedProcessors] };
    await this.options.store.saveState(state);
  }

  private emit(flowId: string, action: FlowChangeAction): void {
    for (const listener of this.listeners) listener({ flowId, action });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The id of a body that is stored even if invalid; 400 with the issues when it is not an object with one. */
function usableId(input: unknown, issues: ValidationIssue[]): string {
  if (isObject(input) && typeof input.id === 'string' && ID.test(input.id)) return input.id;
  throw new FlowValidationError(issues);
}

function mismatch(id: string): FlowValidationError {
  return new FlowValidationError([{ path: '/id', message: `must be "${id}", the id in the URL` }]);
}

function describeIssues(issues: readonly ValidationIssue[]): string {
  const shown = issues.slice(0, 3).map((i) => `${i.path || '/'}: ${i.message}`);
  if (issues.length > 3) shown.push(`and ${issues.length - 3} more`);
  return `${issues.length} problem(s): ${shown.join('; ')}`;
}

/** The (global) ids of the connections of a flow that may not validate: of the flow and of its groups. */
function connectionIds(scope: unknown, groups: string[] = [], out: string[] = []): string[] {
  if (!isObject(scope) || groups.length > 16) return out;
  for (const c of Array.isArray(scope.connections) ? scope.connections : [])
    if (isObject(c) && typeof c.id === 'string') out.push(globalId(groups, c.id));
  for (const g of Array.isArray(scope.groups) ? scope.groups : [])
    if (isObject(g) && typeof g.id === 'string') connectionIds(g, [...groups, g.id], out);
  return out;
}

/** The group at a path of group ids in a (possibly invalid) definition; undefined when there is none. */
function groupAt(definition: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  if (path.length === 0) return undefined;
  let scope: unknown = definition;
  for (const key of path) {
    if (!isObject(scope) || !Array.isArray(scope.groups)) return undefined;
    scope = scope.groups.find((g) => isObject(g) && g.id === key);
  }
  return isObject(scope) ? scope : undefined;
}

/** The global ids of the processors, ports and funnels of a scope and of every group in it. */
function componentIds(scope: unknown, groups: string[], out: string[] = []): string[] {
  if (!isObject(scope) || groups.length > 16) return out;
  for (const key of ['processors', 'inputPorts', 'outputPorts', 'funnels'])
    for (const c of Array.isArray(scope[key]) ? scope[key] : [])
      if (isObject(c) && typeof c.id === 'string') out.push(globalId(groups, c.id));
  for (const g of Array.isArray(scope.groups) ? scope.groups : [])
    if (isObject(g) && typeof g.id === 'string') componentIds(g, [...groups, g.id], out);
  return out;
}
