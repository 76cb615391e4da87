import { randomUUID } from 'node:crypto';
import type { ResolvedConnection, ResolvedFlow, ResolvedProcessor } from '../../flows/flow-schema';
import { EngineServices } from '../services/engine-services';
import { MemoryProvenanceStore } from '../storage/memory-provenance-store';
import { MemoryQueue } from '../storage/memory-queue';
import { quarantineSpec, RunningConnection } from './backpressure';
import type { ProcessorLogger, ProcessorStateValues } from './contract';
import { DebugLog } from './debug-log';
import { diffFlows, type FlowDiff, restartedBy } from './flow-diff';
import { type FlowFile, restoredFlowFile } from './flowfile';
import { type InjectInput, injected } from './inject';
import type { ProcessorRegistry } from './processor-registry';
import { type NewProvenanceEvent, NO_IDS, type ProvenanceEvent, type ProvenanceStore } from './provenance';
import { QUARANTINE_ATTRIBUTES } from './quarantine';
import type { FlowFileQueue, Prioritizer, QueuedFlowFile } from './queue';
import { type Bulletin, type ProcessorHost, RunningProcessor } from './running-processor';
import { applyCommitWith, type CommitWriter, type SessionCommit } from './session-commit';
import { type BackendStatus, type FlowStatus, flowStatus } from './status';
import { TapRegistry } from './tap';

export type QueueFactory = (flowId: string, connection: ResolvedFlow['connections'][number]) => FlowFileQueue;

export interface EngineOptions {
  provenance?: ProvenanceStore;
  queueFactory?: QueueFactory;
  /** The queue back end's own state (e.g. the NATS connection), shown as `backend` in the status. */
  backendStatus?: () => BackendStatus;
  logger?: ProcessorLogger;
  allowedDirs?: readonly string[];
  /**
   * Applies committed sessions; default: straight to the queues, with provenance appended to `provenance`.
   * The durable repository writes each commit to disk first.
   */
  commitWriter?: CommitWriter;
  /** Processor state restored from the repository, by processor id. */
  processorState?: (processorId: string) => ProcessorStateValues | undefined;
  /** Every bulletin a processor posts (the server's bulletin board). */
  onBulletin?: (flowId: string, processor: ResolvedProcessor, bulletin: Bulletin) => void;
}

export interface ApplyOptions {
  /** Queues for added connections (and for one whose prioritizer changed); default: the engine's own factory. */
  queueFactory?: QueueFactory;
  /**
   * Processors to leave stopped (stopped by the user); default: those stopped now while the flow runs. Added
   * and rebuilt processors not in it start when the flow runs (a rebuilt one also if it ran on its own).
   */
  skip?: ReadonlySet<string>;
  /**
   * Runs once the processors to replace have stopped and before anything changes (a last check, saving the
   * definition): when it throws, nothing changes, the stopped processors start again and apply rethrows.
   */
  beforeChange?: () => void | Promise<void>;
}

export interface ApplyResult {
  diff: FlowDiff;
  /** Processors started again (or for the first time) whose setup failed; each has a bulletin. */
  failures: { processorId: string; error: string }[];
}

const TICK_MS = 250;

export const silentLogger: ProcessorLogger = { info() {}, warn() {}, error() {}, debug() {} };

/** Runs one validated flow: a queue per connection, tasks per processor, provenance for every step. */
export class FlowEngine {
  readonly processors = new Map<string, RunningProcessor>();
  readonly connections = new Map<string, RunningConnection>();
  /** The flow's controller services: enabled before the processors start, disabled after they stopped. */
  readonly services: EngineServices;
  readonly provenance: ProvenanceStore;
  /** Watched connections (live tap); empty unless someone watches. */
  readonly taps = new TapRegistry();
  /** What the processors handed to `ctx.debug` (the debug panel). */
  readonly debugLog = new DebugLog();
  private ticker: NodeJS.Timeout | undefined;
  private running = false;
  private readonly host: ProcessorHost;
  readonly backendStatus: (() => BackendStatus) | undefined;
  private definition: ResolvedFlow;
  private readonly makeQueue: QueueFactory;
  /** Each processor's state as last committed: a processor rebuilt by `apply` goes on from it. */
  private readonly committedState = new Map<string, ProcessorStateValues>();

  constructor(
    flow: ResolvedFlow,
    private readonly registry: ProcessorRegistry,
    private readonly options: EngineOptions = {},
  ) {
    this.definition = flow;
    this.provenance = options.provenance ?? new MemoryProvenanceStore();
    this.makeQueue = options.queueFactory ?? ((_flowId, c) => new MemoryQueue(c.id, c.prioritizer as Prioritizer));
    for (const c of flow.connections) this.connections.set(c.id, this.newConnection(c, this.makeQueue));
    this.services = new EngineServices(
      registry,
      { flowId: flow.id, logger: options.logger ?? silentLogger, allowedDirs: options.allowedDirs ?? [] },
      flow.services ?? [],
    );
    const commit =
      options.commitWriter ??
      applyCommitWith((batch) =>
        this.provenance.appendBatch ? this.provenance.appendBatch(batch) : this.provenance.append(batch.toEvents()),
      );
    this.host = {
      flowId: flow.id,
      allowedDirs: options.allowedDirs ?? [],
      logger: options.logger ?? silentLogger,
      commit: async (c) => {
        await commit(c);
        if (c.state) this.committedState.set(c.processorId, c.state);
        if (this.taps.active) this.tapOutputs(c);
      },
      initialState: (processorId) => this.committedState.get(processorId) ?? options.processorState?.(processorId),
      record: (events) => this.provenance.append(events),
      drained: (connections) => {
        for (const c of connections) this.processors.get(c.spec.source)?.signal.notify();
      },
      filled: (connections) => {
        for (const c of connections) this.processors.get(c.spec.target)?.signal.notify();
      },
      posted: (processor, bulletin) => options.onBulletin?.(flow.id, processor, bulletin),
      services: this.services.lookup,
      debug: (processor, entry) => this.debugLog.post(processor, entry),
    };
    const all = [...this.connections.values()];
    for (const p of flow.processors) this.processors.set(p.id, this.newProcessor(p, all, this.host));
    for (const c of all) this.listen(c);
    this.backendStatus = options.backendStatus;
  }

  /** The definition running now (the last one applied). */
  get flow(): ResolvedFlow {
    return this.definition;
  }

  get id(): string {
    return this.definition.id;
  }

  private newConnection(spec: ResolvedConnection, makeQueue: QueueFactory): RunningConnection {
    const flowId = this.definition.id;
    return new RunningConnection(spec, makeQueue(flowId, spec), makeQueue(flowId, quarantineSpec(spec)));
  }

  private newProcessor(spec: ResolvedProcessor, all: RunningConnection[], host: ProcessorHost): RunningProcessor {
    const definition = this.registry.get(spec.type);
    if (!definition) throw new Error(`unknown processor type "${spec.type}"`);
    const inputs = all.filter((c) => c.spec.target === spec.id);
    const outgoing = all.filter((c) => c.spec.source === spec.id);
    return new RunningProcessor(spec, definition, inputs, outgoing, host);
  }

  /** FlowFiles another process published (a shared broker) arrive unannounced: wake their target. */
  private listen(c: RunningConnection): void {
    c.queue.onAvailable?.(() => this.processors.get(c.spec.target)?.signal.notify());
  }

  get isRunning(): boolean {
    return this.running;
  }

  /**
   * Starts every enabled processor (except those in `options.skip`, which stay stopped); returns the ones
   * whose setup failed (each has a bulletin).
   */
  async start(options: { skip?: ReadonlySet<string> } = {}): Promise<{ processorId: string; error: string }[]> {
    this.running = true;
    this.ticker ??= setInterval(() => this.tick(), TICK_MS);
    const failures: { processorId: string; error: string }[] = [];
    await this.services.enableAll();
    for (const p of this.processors.values()) {
      if (options.skip?.has(p.id)) continue;
      const blocked = p.state === 'stopped' ? this.blockedByService(p) : undefined;
      if (blocked) {
        failures.push({ processorId: p.id, error: blocked });
        continue;
      }
      try {
        await p.start();
      } catch (err) {
        failures.push({ processorId: p.id, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return failures;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all([...this.processors.values()].map((p) => p.stop()));
    await this.services.disableAll();
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /**
   * Stops the flow from its sources downstream, letting the rest of it process what each stop emits (the open
   * windows a WindowAggregate flushes in onStop) before stopping it in turn; `sluice run` ends this way, with
   * or without --until-idle, so what a stop emits reaches the sink. After each such stop it waits until every
   * queue whose target still runs is empty: a queue whose target is already stopped (or disabled) cannot
   * drain, and waiting for it would only burn the budget. Gives up waiting after `timeoutMs` and stops the
   * rest. True when what every stop emitted was taken all the way through.
   */
  async drainAndStop(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let drained = true;
    for (const p of this.downstreamOrder()) {
      await p.stop();
      if (!p.definition.onStop) continue;
      drained = (await this.waitUntilSettled(deadline - Date.now())) && drained;
      // Emitted towards a processor stopped before it (a cycle): it stays queued.
      if (p.outgoing.some((c) => c.queue.depth().count > 0)) drained = false;
    }
    await this.stop();
    return drained;
  }

  /** Nothing queued for a running processor and no task inside onTrigger (checked twice, a tick apart). */
  private async waitUntilSettled(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let settledChecks = 0;
    for (;;) {
      settledChecks = this.isSettled() ? settledChecks + 1 : 0;
      if (settledChecks >= 2) return true;
      if (Date.now() >= deadline) return settledChecks > 0;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private isSettled(): boolean {
    for (const p of this.processors.values()) if (p.runningTasks > 0) return false;
    for (const c of this.connections.values())
      if (this.processors.get(c.spec.target)?.state === 'running' && c.queue.depth().count > 0) return false;
    return true;
  }

  /** Processors sources first, each after every processor feeding it (cycles in flow order). */
  private downstreamOrder(): RunningProcessor[] {
    const incoming = new Map<string, number>();
    for (const p of this.processors.values()) incoming.set(p.id, 0);
    for (const c of this.connections.values())
      if (c.spec.source !== c.spec.target) incoming.set(c.spec.target, (incoming.get(c.spec.target) ?? 0) + 1);
    const order: RunningProcessor[] = [];
    const ready = [...this.processors.values()].filter((p) => incoming.get(p.id) === 0);
    const placed = new Set<string>();
    while (ready.length > 0) {
      const p = ready.shift()!;
      if (placed.has(p.id)) continue;
      placed.add(p.id);
      order.push(p);
      for (const c of p.outgoing) {
        if (c.selfLoop) continue;
        const left = (incoming.get(c.spec.target) ?? 0) - 1;
        incoming.set(c.spec.target, left);
        if (left === 0) ready.push(this.processors.get(c.spec.target)!);
      }
    }
    for (const p of this.processors.values()) if (!placed.has(p.id)) order.push(p);
    return order;
  }

  async startProcessor(id: string): Promise<void> {
    const p = this.processor(id);
    this.ticker ??= setInterval(() => this.tick(), TICK_MS);
    if (p.state === 'stopped') {
      await this.services.enable(this.services.ofProcessor(p.spec));
      const blocked = this.blockedByService(p);
      if (blocked) throw new Error(blocked);
    }
    await p.start();
  }

  /**
   * Why a processor cannot start because of a service it references (with a bulletin on it naming the
   * service), or undefined.
   */
  private blockedByService(p: RunningProcessor): string | undefined {
    const reason = this.services.blocking(p.spec);
    if (!reason) return undefined;
    const message = `not started: ${reason}`;
    p.bulletin('error', message, []);
    return message;
  }

  async stopProcessor(id: string): Promise<void> {
    await this.processor(id).stop();
  }

  /**
   * Applies a new definition of this flow to it as it runs (Node-RED's Flow.start(diff)): only the processors
   * removed, changed or bound to a connection that comes, goes or changes are stopped; removed connections'
   * queues (and quarantines) are closed, added ones get new queues, kept ones keep theirs (a changed
   * prioritizer gets a new queue: on a broker the old one is closed and its FlowFiles stay on the broker, in
   * memory they move over). Rebuilt processors keep their counters, bulletins and committed state (not across
   * a change of type) and start again if the flow runs (see `options.skip`); the others never stop. The engine
   * stays the same object, so whoever holds it keeps working.
   */
  async apply(next: ResolvedFlow, options: ApplyOptions = {}): Promise<ApplyResult> {
    if (next.id !== this.id) throw new Error(`cannot apply flow "${next.id}" to the engine of flow "${this.id}"`);
    const diff = diffFlows(this.definition, next, this.services);
    const skip =
      options.skip ?? new Set([...this.processors.values()].filter((p) => p.state === 'stopped').map((p) => p.id));
    const replaced = [...diff.processors.removed, ...restartedBy(diff)].map((id) => this.processor(id));
    const wereRunning = replaced.filter((p) => p.state === 'running');
    await Promise.all(wereRunning.map((p) => p.stop()));
    let built: ReturnType<FlowEngine['build']>;
    try {
      await options.beforeChange?.();
      this.services.check(next.services ?? []);
      built = this.build(next, diff, options.queueFactory ?? this.makeQueue);
    } catch (err) {
      for (const p of wereRunning) await p.start().catch(() => {}); // a failed setup leaves a bulletin
      throw err;
    }
    // Nothing can fail from here on: the engine switches to the new definition.
    const moved = built.moves.map(([from, to]) => [to, from.clear()] as const);
    this.connections.clear();
    for (const c of built.connections) this.connections.set(c.id, c);
    this.processors.clear();
    for (const p of built.processors) this.processors.set(p.id, p);
    for (const id of [...diff.processors.removed, ...built.retyped]) this.committedState.delete(id);
    this.definition = next;
    if (this.taps.active) this.taps.retain(new Set(this.connections.keys()));
    for (const [to, ffs] of moved) if (ffs.length > 0) await to.queue.offer(ffs);
    for (const c of built.fresh) this.listen(c);
    await Promise.all(built.closed.map((q) => q.close().catch(() => {})));
    // Services removed or changed: their processors have stopped; the new ones are enabled as the flow runs.
    const replacedServices = [...diff.services.removed, ...diff.services.changed];
    await this.services.disable(replacedServices);
    this.services.replace(next.services ?? [], new Set(replacedServices));
    if (this.running) await this.services.enable([...diff.services.added, ...diff.services.changed]);
    const failures: ApplyResult['failures'] = [];
    const restart = new Set(wereRunning.map((p) => p.id));
    for (const id of [...diff.processors.added, ...restartedBy(diff)]) {
      if (skip.has(id) || !(this.running || restart.has(id))) continue;
      const p = this.processor(id);
      if (p.state === 'stopped') await this.services.enable(this.services.ofProcessor(p.spec));
      const blocked = p.state === 'stopped' ? this.blockedByService(p) : undefined;
      if (blocked) {
        failures.push({ processorId: id, error: blocked });
        continue;
      }
      await this.processor(id)
        .start()
        .catch((err: unknown) =>
          failures.push({ processorId: id, error: err instanceof Error ? err.message : String(err) }),
        );
    }
    return { diff, failures };
  }

  /** The connections and processors of `next`, reusing what the diff keeps; changes nothing yet. */
  private build(next: ResolvedFlow, diff: FlowDiff, makeQueue: QueueFactory) {
    const changed = new Set(diff.connections.changed);
    const connections: RunningConnection[] = [];
    /** Connections that are new objects (their queue's listener must name them). */
    const fresh: RunningConnection[] = [];
    const moves: [from: FlowFileQueue, to: RunningConnection][] = [];
    const closed: FlowFileQueue[] = [];
    const created: FlowFileQueue[] = [];
    try {
      for (const spec of next.connections) {
        const old = this.connections.get(spec.id);
        if (old && !changed.has(spec.id)) {
          old.spec.name = spec.name;
          connections.push(old);
          continue;
        }
        let c: RunningConnection;
        if (!old) {
          c = this.newConnection(spec, makeQueue);
          created.push(c.queue, c.quarantine);
        } else if (old.spec.prioritizer === spec.prioritizer) {
          c = new RunningConnection(spec, old.queue, old.quarantine);
        } else {
          const queue = makeQueue(next.id, spec);
          created.push(queue);
          c = new RunningConnection(spec, queue, old.quarantine);
          // On a broker the FlowFiles stay where they are; the old queue hands back what it holds when closed.
          if (!old.queue.onBroker) moves.push([old.queue, c]);
          closed.push(old.queue);
        }
        if (old) for (const [id, n] of old.failures) c.failures.set(id, n);
        connections.push(c);
        fresh.push(c);
      }
      for (const id of diff.connections.removed) {
        const c = this.connection(id);
        closed.push(c.queue, c.quarantine);
      }
      const rebuilt = new Set([...diff.processors.added, ...restartedBy(diff)]);
      const processors: RunningProcessor[] = [];
      const retyped: string[] = [];
      for (const spec of next.processors) {
        const old = this.processors.get(spec.id);
        if (old && !rebuilt.has(spec.id)) {
          old.spec.name = spec.name;
          old.spec.position = spec.position;
          processors.push(old);
          continue;
        }
        // Another type of processor does not inherit the state of the one it replaces.
        const sameType = old?.spec.type === spec.type;
        if (old && !sameType) retyped.push(spec.id);
        const host: ProcessorHost = sameType
          ? this.host
          : { ...this.host, initialState: (id) => this.options.processorState?.(id) };
        const p = this.newProcessor(spec, connections, host);
        if (old) {
          Object.assign(p.stats.counters, old.stats.counters);
          p.bulletins.push(...old.bulletins);
        }
        processors.push(p);
      }
      return { connections, processors, fresh, moves, closed, retyped };
    } catch (err) {
      for (const q of created) void q.close().catch(() => {});
      throw err;
    }
  }

  processor(id: string): RunningProcessor {
    const p = this.processors.get(id);
    if (!p) throw new Error(`no processor "${id}" in flow "${this.definition.id}"`);
    return p;
  }

  connection(id: string): RunningConnection {
    const c = this.connections.get(id);
    if (!c) throw new Error(`no connection "${id}" in flow "${this.definition.id}"`);
    return c;
  }

  /** Expiration sweep and per-second rates. */
  tick(now = Date.now()): void {
    if (this.taps.active) this.taps.expire(now);
    for (const c of this.connections.values()) {
      if (c.expirationMs <= 0) continue;
      const expired = c.queue.expire(c.expirationMs, now);
      if (expired.length === 0) continue;
      void this.provenance.append(this.queueEvents(c, expired, 'EXPIRE', now, `older than ${c.spec.expiration}`));
      this.processors.get(c.spec.source)?.signal.notify();
    }
    for (const p of this.processors.values()) p.stats.tick(now);
  }

  private queueEvents(
    c: RunningConnection,
    ffs: readonly FlowFile[],
    type: 'EXPIRE' | 'DROP',
    time: number,
    details: string,
  ): NewProvenanceEvent[] {
    return ffs.map((ff) => ({
      type,
      time,
      flowId: this.definition.id,
      flowFileId: ff.id,
      componentId: c.id,
      componentType: 'Connection',
      parentIds: NO_IDS,
      childIds: NO_IDS,
      attributes: ff.attributes,
      contentSize: ff.size,
      lineageStartDate: ff.lineageStartDate,
      details,
    }));
  }

  /** Nothing queued or in flight anywhere, no task inside onTrigger, and every source found nothing to do. */
  isIdle(): boolean {
    for (const c of this.connections.values()) if (c.queue.depth().count > 0) return false;
    for (const p of this.processors.values()) {
      if (p.runningTasks > 0) return false;
      if (p.state === 'running' && p.isSource && !p.idle) return false;
    }
    return true;
  }

  /** Resolves true once idle (checked twice, a tick apart), false on timeout. */
  async waitUntilIdle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let idleChecks = 0;
    while (Date.now() < deadline) {
      idleChecks = this.isIdle() ? idleChecks + 1 : 0;
      if (idleChecks >= 2) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  }

  status(now = Date.now()): FlowStatus {
    return flowStatus(this, now);
  }

  /** The FlowFiles waiting in a connection, wherever they wait (a broker-backed queue reads its stream). */
  async listQueue(connectionId: string, limit = 100): Promise<QueuedFlowFile[]> {
    const queue = this.connection(connectionId).queue;
    return queue.browse ? queue.browse(limit, Date.now()) : queue.list(limit, Date.now());
  }

  /** A FlowFile waiting in a connection (not taken by a session), for the queue inspector. */
  async queuedFlowFile(connectionId: string, flowFileId: string): Promise<FlowFile | undefined> {
    const queue = this.connection(connectionId).queue;
    return queue.lookup ? queue.lookup(flowFileId) : queue.find(flowFileId);
  }

  /**
   * Replays a provenance event: a new FlowFile with the event's attributes and the given content (as it was at
   * the event) enters the connection into the event's processor, with a REPLAY event naming the original as
   * its parent. `connectionId` picks the connection when the processor has several inputs.
   */
  async replay(
    event: ProvenanceEvent,
    content: Buffer,
    connectionId?: string,
    claim?: string,
  ): Promise<{ flowFileId: string; connectionId: string }> {
    const inputs = [...this.connections.values()].filter((c) => c.spec.target === event.componentId);
    const target = connectionId ? inputs.find((c) => c.id === connectionId) : inputs[0];
    if (!target)
      throw new Error(
        connectionId
          ? `connection "${connectionId}" does not lead into "${event.componentId}"; it has ${inputs.map((c) => `"${c.id}"`).join(', ') || 'no inputs'}`
          : `"${event.componentId}" has no incoming connection to replay into (a source's events cannot be replayed)`,
      );
    const id = randomUUID();
    const now = Date.now();
    const ff = restoredFlowFile(id, { ...event.attributes, uuid: id }, content, now, event.lineageStartDate);
    await target.queue.offer([ff]);
    await this.provenance.append([
      {
        type: 'REPLAY',
        time: now,
        flowId: this.definition.id,
        flowFileId: id,
        componentId: event.componentId,
        componentType: event.componentType,
        parentIds: [event.flowFileId],
        childIds: [id],
        attributes: ff.attributes,
        contentSize: ff.size,
        lineageStartDate: ff.lineageStartDate,
        details: `replay of event ${event.eventId} into connection "${target.id}"`,
        ...(claim !== undefined && { contentClaim: claim }),
      },
    ]);
    this.processors.get(target.spec.target)?.signal.notify();
    return { flowFileId: id, connectionId: target.id };
  }

  /** What a committed session put into watched connections, for their taps. */
  private tapOutputs(c: SessionCommit): void {
    for (const [queue, ffs] of c.outputs) this.taps.capture(queue.connectionId, ffs, c.time);
  }

  /**
   * Puts one FlowFile a person made into a connection's queue (the inject button), with a RECEIVE event from
   * `sluice://user/<name>`; allowed when the queue is full, and when the flow is stopped (it waits there).
   */
  async inject(connectionId: string, input: InjectInput): Promise<FlowFile> {
    const c = this.connection(connectionId);
    const { flowFile, event } = injected(this.definition.id, c.id, input);
    await c.queue.offer([flowFile]);
    await this.provenance.append([event]);
    if (this.taps.active) this.taps.capture(c.id, [flowFile], event.time);
    this.processors.get(c.spec.target)?.signal.notify();
    return flowFile;
  }

  /** What waits in a connection's quarantine. */
  async listQuarantine(connectionId: string, limit = 100): Promise<QueuedFlowFile[]> {
    const q = this.connection(connectionId).quarantine;
    return q.browse ? q.browse(limit, Date.now()) : q.list(limit, Date.now());
  }

  /**
   * Puts quarantined FlowFiles back at the end of their connection (without the quarantine attributes), for
   * another try once the cause is fixed; or drops them (DROP events). Returns how many.
   */
  async releaseQuarantine(connectionId: string, action: 'requeue' | 'drop'): Promise<number> {
    const c = this.connection(connectionId);
    const held = c.quarantine.drain ? await c.quarantine.drain() : c.quarantine.clear();
    if (held.length === 0) return 0;
    const now = Date.now();
    if (action === 'drop') {
      await this.provenance.append(this.queueEvents(c, held, 'DROP', now, 'dropped from quarantine by user'));
      return held.length;
    }
    // Each goes back as a new FlowFile (REPLAY of the quarantined one): a broker that deduplicates by
    // FlowFile id would otherwise take it for the copy it already delivered.
    const names = Object.values(QUARANTINE_ATTRIBUTES);
    const again = held.map((ff) => {
      const id = randomUUID();
      const attributes: Record<string, string> = { ...ff.attributes, uuid: id };
      for (const name of names) delete attributes[name];
      return restoredFlowFile(id, attributes, ff.content, now, ff.lineageStartDate);
    });
    await c.queue.offer(again);
    await this.provenance.append(
      again.map((ff, i) => ({
        type: 'REPLAY' as const,
        time: now,
        flowId: this.definition.id,
        flowFileId: ff.id,
        componentId: c.id,
        componentType: 'Connection',
        parentIds: [held[i]!.id],
        childIds: [ff.id],
        attributes: ff.attributes,
        contentSize: ff.size,
        lineageStartDate: ff.lineageStartDate,
        details: `put back from the quarantine of connection "${c.id}"`,
      })),
    );
    this.processors.get(c.spec.target)?.signal.notify();
    return held.length;
  }

  /** Empties a connection's queue (FlowFiles not taken by a session), with a DROP event for each. */
  async emptyQueue(connectionId: string): Promise<number> {
    const c = this.connection(connectionId);
    const dropped = c.queue.drain ? await c.queue.drain() : c.queue.clear();
    if (dropped.length > 0) {
      await this.provenance.append(this.queueEvents(c, dropped, 'DROP', Date.now(), 'queue emptied by user'));
      this.processors.get(c.spec.source)?.signal.notify();
    }
    return dropped.length;
  }
}
