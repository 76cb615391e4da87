/**
 * A cluster worker: follows the `sluice_flows` bucket and runs every flow the user started, on the shared
 * JetStream queues (each connection's consumer is shared by all workers, so they compete for its messages);
 * takes part in the primary election, running `executionMode: 'primary'` processors only while it holds the
 * lease; and reports its status to the `sluice_workers` bucket every interval.
 *
 * Each flow is reconciled under its own lock whenever its definition, its state or the primary changes:
 * a new definition is applied to the running engine (only what changed restarts, as in the server: see
 * applyFlow), then the set of processors that should run here is started or stopped.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { ProcessorLogger } from '../engine/contract';
import { FlowEngine } from '../engine/flow-engine';
import type { ProcessorRegistry } from '../engine/processor-registry';
import type { FlowStatus } from '../engine/status';
import type { NatsBackend } from '../nats/nats-backend';
import { applyFlow, closeDroppedQueues } from '../runtime/engine-swap';
import { KeyedLock } from '../runtime/keyed-lock';
import { type FlowRuntimeState, parseState } from '../storage/flow-store';
import type { ValidationIssue } from '../validation/ajv';
import { validateFlow } from '../validation/flow-validator';
import { type ClusterBuckets, encodeJson, flowKey, parseJson, stateKey } from './cluster-buckets';
import { splitKey } from './kv-flow-store';
import { KvMirror } from './kv-mirror';
import { PrimaryLease } from './primary-lease';
import type { WorkerReport } from './worker-report';

export interface ClusterWorkerOptions {
  backend: NatsBackend;
  buckets: ClusterBuckets;
  registry: ProcessorRegistry;
  logger: ProcessorLogger;
  allowedDirs: readonly string[];
  /** Unique in the cluster (letters, digits, _ and -). */
  name: string;
  /** How often the worker reports its status. Default 1 s. */
  statusIntervalMs?: number;
}

interface WorkerFlow {
  /** The definition as stored (JSON text), to notice changes. */
  json: string;
  engine?: FlowEngine;
  issues: ValidationIssue[];
  primaryOnly: Set<string>;
}

export class ClusterWorker {
  readonly instance = randomUUID().slice(0, 8);
  readonly startedAt = Date.now();
  private readonly flows = new Map<string, WorkerFlow>();
  private readonly locks = new KeyedLock();
  private readonly pending = new Set<Promise<void>>();
  private readonly mirror: KvMirror;
  private readonly lease: PrimaryLease;
  private readonly intervalMs: number;
  private reporter: NodeJS.Timeout | undefined;
  private reporting: Promise<void> | undefined;
  private stopping = false;
  private reportFailures = 0;

  constructor(private readonly options: ClusterWorkerOptions) {
    this.intervalMs = options.statusIntervalMs ?? 1000;
    this.mirror = new KvMirror(options.buckets.flows, {
      what: 'flows',
      logger: options.logger,
      onChange: (key) => {
        const [, id] = splitKey(key);
        if (id !== undefined) this.schedule(id);
      },
    });
    this.lease = new PrimaryLease(
      options.buckets.leases,
      { name: options.name, instance: this.instance },
      {
        ttlMs: options.buckets.leaseTtlMs,
        logger: options.logger,
        onChange: () => {
          for (const id of this.flowIds()) this.schedule(id);
        },
      },
    );
  }

  get name(): string {
    return this.options.name;
  }

  get isPrimary(): boolean {
    return this.lease.isPrimary;
  }

  /** Loads the flows, takes part in the election, starts the running flows and reports once. */
  async start(): Promise<void> {
    await this.mirror.start();
    await this.lease.start();
    await this.settled();
    await this.report();
    this.reporter = setInterval(() => void this.report(), this.intervalMs);
  }

  /** Ids of flows known from the bucket or held here. */
  private flowIds(): Set<string> {
    const ids = new Set(this.flows.keys());
    for (const key of this.mirror.entries.keys()) {
      const [, id] = splitKey(key);
      if (id !== undefined) ids.add(id);
    }
    return ids;
  }

  private schedule(flowId: string): void {
    if (this.stopping) return;
    const run = this.locks
      .run(flowId, () => this.reconcile(flowId))
      .catch((err) =>
        this.options.logger.error({ flow: flowId, err: (err as Error).message }, 'could not apply the flow here'),
      );
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
  }

  /** Resolves once every scheduled reconcile has run. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  engine(flowId: string): FlowEngine | undefined {
    return this.flows.get(flowId)?.engine;
  }

  private async reconcile(id: string): Promise<void> {
    if (this.stopping) return;
    const definition = this.mirror.get(flowKey(id));
    let flow = this.flows.get(id);
    if (!definition) {
      if (flow) await this.dispose(id, flow);
      return;
    }
    const json = Buffer.from(definition.value).toString('utf8');
    if (!flow || flow.json !== json) flow = await this.install(id, json, flow);
    if (!flow.engine) return;
    const stored = this.mirror.get(stateKey(id));
    const state = stored ? parseState({ flows: { [id]: parseJson(stored.value) } })[id] : undefined;
    await this.apply(id, flow, state);
  }

  private async install(id: string, json: string, current: WorkerFlow | undefined): Promise<WorkerFlow> {
    const { registry, allowedDirs, logger, backend } = this.options;
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      parsed = undefined;
    }
    const check = validateFlow(parsed, registry, { allowedDirs });
    if (!check.ok || check.flow.id !== id) {
      const issues = check.ok ? [{ path: '/id', message: `must be "${id}", its key` }] : check.issues;
      if (current) await this.dispose(id, current);
      logger.warn({ flow: id, issues: issues.slice(0, 5) }, 'flow cannot run on this worker');
      const invalid: WorkerFlow = { json, issues, primaryOnly: new Set() };
      this.flows.set(id, invalid);
      return invalid;
    }
    const primaryOnly = new Set(
      check.resolved.processors.filter((p) => p.executionMode === 'primary').map((p) => p.id),
    );
    let engine = current?.engine;
    if (engine)
      // Rebuilt processors stay stopped here: `apply` then starts those that should run on this worker. The
      // server refused a definition that drops queued FlowFiles; a worker follows what it accepted.
      await applyFlow(engine, check.resolved, {
        skip: new Set(check.resolved.processors.map((p) => p.id)),
        dropQueued: true,
      });
    else
      engine = new FlowEngine(check.resolved, registry, {
        provenance: backend.provenance,
        queueFactory: backend.queueFactory,
        commitWriter: backend.commitWriter,
        logger,
        allowedDirs,
        backendStatus: () => backend.status(),
      });
    const flow: WorkerFlow = { json, engine, issues: [], primaryOnly };
    this.flows.set(id, flow);
    return flow;
  }

  /** Starts or stops the flow and its processors to match the stored state and this worker's role. */
  private async apply(id: string, flow: WorkerFlow, state: FlowRuntimeState | undefined): Promise<void> {
    const engine = flow.engine!;
    if (!state?.running) {
      if (engine.isRunning) await engine.stop();
      return;
    }
    const skip = new Set(state.stoppedProcessors);
    if (!this.lease.isPrimary) for (const p of flow.primaryOnly) skip.add(p);
    const failures: { processorId: string; error: string }[] = [];
    if (!engine.isRunning) failures.push(...(await engine.start({ skip })));
    else
      for (const p of engine.processors.values()) {
        const wanted = !skip.has(p.id);
        if (wanted && p.state === 'stopped')
          await engine.startProcessor(p.id).catch((err) => failures.push({ processorId: p.id, error: String(err) }));
        else if (!wanted && p.state === 'running') await engine.stopProcessor(p.id);
      }
    for (const f of failures) this.options.logger.warn({ flow: id, ...f }, 'processor failed to start');
  }

  private async dispose(id: string, flow: WorkerFlow): Promise<void> {
    this.flows.delete(id);
    if (!flow.engine) return;
    await flow.engine.stop();
    await closeDroppedQueues(flow.engine, undefined);
  }

  private reportOf(state: WorkerReport['state'], now = Date.now()): WorkerReport {
    const flows: Record<string, FlowStatus> = {};
    const issues: WorkerReport['issues'] = {};
    for (const [id, f] of this.flows) {
      if (f.engine) flows[id] = f.engine.status(now);
      else issues[id] = f.issues;
    }
    return {
      name: this.options.name,
      instance: this.instance,
      host: os.hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      time: now,
      intervalMs: this.intervalMs,
      state,
      primary: this.lease.isPrimary,
      flows,
      issues,
      backend: this.options.backend.status(),
    };
  }

  /** Writes this worker's report (one at a time; a tick is skipped while the last write is pending). */
  private report(state: WorkerReport['state'] = 'running'): Promise<void> {
    this.reporting ??= this.options.buckets.workers
      .put(this.options.name, encodeJson(this.reportOf(state)))
      .then(
        () => {
          this.reportFailures = 0;
        },
        (err) => {
          if (this.reportFailures++ === 0)
            this.options.logger.warn({ err: (err as Error).message }, 'could not publish the worker report');
        },
      )
      .finally(() => {
        this.reporting = undefined;
      });
    return this.reporting;
  }

  /**
   * Stops every flow here (sessions finish), then gives up the primary lease so another worker takes over
   * at once, and writes a last report saying this worker stopped. The NATS back end stays open (its owner
   * closes it: held messages go back to the streams then).
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.reporter);
    await this.mirror.stop();
    await this.settled();
    await Promise.all([...this.flows.values()].map((f) => f.engine?.stop()));
    await this.lease.stop();
    await this.reporting;
    await this.report('stopped');
  }
}
