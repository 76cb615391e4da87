import type { ResolvedProcessor } from '../../flows/flow-schema';
import { mountHttpListener } from '../runtime/http-listeners';
import { redactDeep, redactError, redactSecrets } from '../secrets/redactor';
import type { ServiceLookup } from '../services/service-contract';
import { getOrInsert } from '../util/maps';
import type { RunningConnection } from './backpressure';
import { parsedConfig } from './config-formats';
import type {
  DebugInput,
  ProcessorDefinition,
  ProcessorLogger,
  ProcessorStateValues,
  SetupContext,
  TriggerContext,
} from './contract';
import { relationshipsOf } from './contract';
import type { FlowFile } from './flowfile';
import { ProcessorStats } from './processor-stats';
import type { NewProvenanceEvent } from './provenance';
import { forgetFailures, setAsidePoison } from './quarantine';
import type { FlowFileQueue } from './queue';
import { Session, type SessionHost } from './session';
import type { CommitWriter, SessionCommit } from './session-commit';
import { nextTurn, Signal } from './signal';
import { parseDuration } from './units';

export type ProcessorState = 'stopped' | 'starting' | 'running' | 'stopping' | 'disabled';

export interface Bulletin {
  time: number;
  level: 'error' | 'warn';
  message: string;
  flowFileIds: string[];
}

const MAX_BULLETINS = 20;
/** How long a stop waits for running triggers before abandoning them. */
export const STOP_GRACE_MS = 10_000;

/** A trigger the watchdog (or a stop) gave up on. */
export class AbandonedTriggerError extends Error {}
/** Longest sleep before a task re-checks its conditions even without a signal. */
const MAX_WAIT_MS = 1000;

export interface ProcessorHost {
  flowId: string;
  allowedDirs: readonly string[];
  logger: ProcessorLogger;
  /** Applies a committed session (durably, on the durable repository). */
  commit: CommitWriter;
  /** Provenance events outside a session (a FlowFile moved to quarantine). */
  record(events: NewProvenanceEvent[]): void | Promise<void>;
  /** The processor's state as last committed before this engine started (restored from the repository). */
  initialState(processorId: string): ProcessorStateValues | undefined;
  /** An input was taken from or acknowledged on these connections: wake their sources. */
  drained(connections: readonly RunningConnection[]): void;
  /** Outputs were enqueued on these connections: wake their targets. */
  filled(connections: readonly RunningConnection[]): void;
  /** Every bulletin the processor posts (the server's bulletin board keeps more than the processor's last few). */
  posted?(processor: ResolvedProcessor, bulletin: Bulletin): void;
  /** The flow's enabled controller services (SetupContext.services). */
  services: ServiceLookup;
  /** A processor's `ctx.debug` line, for the flow's debug log. */
  debug?(processor: ResolvedProcessor, entry: DebugInput): void;
}

/** One processor of a running flow: its config, its connections, its tasks and its counters. */
export class RunningProcessor {
  state: ProcessorState;
  readonly stats: ProcessorStats;
  readonly bulletins: Bulletin[] = [];
  readonly signal = new Signal();
  readonly periodMs: number;
  readonly concurrency: number;
  readonly penaltyMs: number;
  readonly yieldMs: number;
  /** Watchdog: a trigger running longer is abandoned (0 = never). */
  readonly timeoutMs: number;
  readonly quarantineAfter: number;
  readonly sessionHost: SessionHost;
  /** The last trigger did no work (a source with nothing to produce). */
  idle = false;
  private state_: unknown;
  /** The config as the processor sees it: `x-format` values parsed (durations in ms, sizes in bytes). */
  private readonly config: unknown;
  /** The processor's persisted state (session.setState), as last committed. */
  private savedState: ProcessorStateValues | undefined;
  private readonly commitWriter: CommitWriter;
  private tasks: Promise<void>[] = [];
  private activeTasks = 0;
  private nextRunAt = 0;
  private yieldUntil = 0;
  /** `ctx.wake()` was called: trigger once even without input (a timer of a processor that holds state). */
  private wakeRequested = false;
  private readonly context: TriggerContext<unknown, unknown>;
  /** Handlers mounted on the server (`ctx.mountHttp`): released after teardown, whatever teardown did. */
  private mounts: { unmount(): void }[] = [];
  /** Rejecters of the triggers in flight: a stop past its grace abandons them all. */
  private readonly inFlight = new Set<(err: Error) => void>();

  constructor(
    readonly spec: ResolvedProcessor,
    readonly definition: ProcessorDefinition,
    readonly inputs: readonly RunningConnection[],
    readonly outgoing: readonly RunningConnection[],
    private readonly host: ProcessorHost,
  ) {
    this.state = spec.disabled ? 'disabled' : 'stopped';
    this.savedState = host.initialState(spec.id);
    this.commitWriter = async (commit: SessionCommit) => {
      await host.commit(commit);
      if (commit.state) this.savedState = commit.state;
      for (const ffs of commit.acknowledged.values()) forgetFailures(this.inputs, ffs);
    };
    this.config = parsedConfig(definition.config, spec.config);
    this.periodMs = parseDuration(spec.schedule.period);
    this.concurrency = spec.schedule.concurrency;
    this.penaltyMs = parseDuration(spec.schedule.penalty);
    this.yieldMs = parseDuration(spec.schedule.yield);
    this.timeoutMs = parseDuration(spec.schedule.timeout);
    this.quarantineAfter = spec.schedule.quarantineAfter;
    this.stats = new ProcessorStats(this.concurrency);
    const outputs = new Map<string, RunningConnection['queue'][]>();
    for (const c of outgoing)
      for (const rel of c.spec.relationships) {
        getOrInsert(outputs, rel, () => []).push(c.queue);
      }
    this.sessionHost = {
      flowId: host.flowId,
      processorId: spec.id,
      processorType: spec.type,
      relationships: new Set(relationshipsOf(definition, spec.config).map((r) => r.name)),
      routes: definition.routes === true,
      inputs: inputs.map((c) => c.queue),
      outputs,
    };
    const setupContext = this.setupContext();
    this.context = {
      ...setupContext,
      config: this.config,
      state: undefined,
      yield: () => {
        this.yieldUntil = Date.now() + this.yieldMs;
      },
      isBackPressured: () => this.isBackPressured(),
    };
  }

  get id(): string {
    return this.spec.id;
  }

  get isSource(): boolean {
    return this.inputs.length === 0;
  }

  get runningTasks(): number {
    return this.activeTasks;
  }

  /**
   * The logger a processor sees: as in NiFi, what it logs at warn or error also becomes a bulletin on the
   * processor (so a FlowFile routed to failure with a logged reason shows on the canvas).
   */
  private readonly processorLogger: ProcessorLogger = {
    debug: (obj, msg) => this.host.logger.debug({ processor: this.spec.id, ...obj }, msg),
    info: (obj, msg) => this.host.logger.info({ processor: this.spec.id, ...obj }, msg),
    warn: (obj, msg) => this.bulletin('warn', msg ?? JSON.stringify(obj), flowFileIdsIn(obj), obj),
    error: (obj, msg) => this.bulletin('error', msg ?? JSON.stringify(obj), flowFileIdsIn(obj), obj),
  };

  private setupContext(): SetupContext {
    return {
      flowId: this.host.flowId,
      processorId: this.spec.id,
      logger: this.processorLogger,
      allowedDirs: this.host.allowedDirs,
      wake: () => {
        this.wakeRequested = true;
        this.signal.notify();
      },
      getState: () => this.savedState,
      services: this.host.services,
      mountHttp: (handler) => {
        const mount = mountHttpListener(this.spec.id, handler);
        this.mounts.push(mount);
        return mount;
      },
      debug: (entry) => this.host.debug?.(this.spec, entry),
    };
  }

  /** Any outgoing connection full? Self-loops do not count, or a retry loop could deadlock itself. */
  isBackPressured(): boolean {
    for (const c of this.outgoing) if (!c.selfLoop && c.isFull()) return true;
    return false;
  }

  hasInput(now: number): boolean {
    for (const c of this.inputs) if (c.queue.hasAvailable(now)) return true;
    return false;
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'starting';
    try {
      this.state_ = await this.definition.setup?.(this.config, this.setupContext());
    } catch (err) {
      for (const mount of this.mounts.splice(0)) mount.unmount();
      this.state = 'stopped';
      this.bulletin('error', `failed to start: ${errorMessage(err)}`, []);
      throw redactError(err);
    }
    this.context.state = this.state_;
    this.state = 'running';
    this.idle = false;
    this.tasks = Array.from({ length: this.concurrency }, () => this.runTask());
  }

  /**
   * Stops the tasks: each finishes its trigger; one still running after `graceMs` is abandoned (its session
   * rolled back), so a stuck processor cannot hold a shutdown.
   */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'stopping';
    this.signal.notify();
    const grace = setTimeout(
      () => this.abandonAll(`the processor is stopping and its trigger did not end within ${graceMs} ms`),
      graceMs,
    );
    await Promise.all(this.tasks);
    clearTimeout(grace);
    this.tasks = [];
    // One last session for what the processor holds (open windows): it may overshoot a full connection once.
    if (this.definition.onStop) await this.trigger(this.definition.onStop);
    try {
      await this.definition.teardown?.(this.state_, this.setupContext());
    } catch (err) {
      this.bulletin('warn', `teardown failed: ${errorMessage(err)}`, []);
    }
    for (const mount of this.mounts.splice(0)) mount.unmount();
    this.state = 'stopped';
  }

  private async runTask(): Promise<void> {
    while (this.state === 'running') {
      const now = Date.now();
      if (this.yieldUntil > now) {
        await this.signal.wait(Math.min(this.yieldUntil - now, MAX_WAIT_MS));
        continue;
      }
      if (this.isBackPressured()) {
        const token = this.stats.beginBlocked(now);
        await this.signal.wait(MAX_WAIT_MS);
        this.stats.endBlocked(token, Date.now());
        continue;
      }
      if (this.periodMs > 0 && now < this.nextRunAt) {
        await this.signal.wait(this.nextRunAt - now);
        continue;
      }
      if (!this.isSource && !this.hasInput(now) && !this.wakeRequested) {
        this.idle = true;
        await this.signal.wait(this.untilNextRelease(now));
        continue;
      }
      this.nextRunAt = now + this.periodMs;
      const worked = await this.trigger();
      if (!worked && this.isSource) {
        this.idle = true;
        await this.signal.wait(Math.max(this.periodMs, Math.min(this.yieldMs, MAX_WAIT_MS)));
      } else await nextTurn();
    }
  }

  private untilNextRelease(now: number): number {
    let wait = MAX_WAIT_MS;
    for (const c of this.inputs) {
      const at = c.queue.nextRelease();
      if (at !== undefined) wait = Math.min(wait, at - now);
    }
    return wait;
  }

  /** Runs onTrigger once in a new session; commits it, or rolls it back and posts a bulletin. */
  async trigger(run: ProcessorDefinition['onTrigger'] = this.definition.onTrigger): Promise<boolean> {
    this.wakeRequested = false;
    const session = new Session(this.sessionHost);
    const started = Date.now();
    const token = this.stats.beginBusy(started);
    this.activeTasks++;
    this.stats.counters.tasks++;
    try {
      await this.watched(run.call(this.definition, session, this.context));
      const result = await session.commit(this.commitWriter);
      const c = this.stats.counters;
      c.in += result.in;
      c.bytesIn += result.bytesIn;
      c.out += result.out;
      c.bytesOut += result.bytesOut;
      this.idle = !session.worked;
      if (result.afterCommitError !== undefined)
        this.bulletin('warn', `after commit: ${errorMessage(result.afterCommitError)}`, []);
      if (result.out > 0) this.host.filled(this.outgoing);
      if (result.in > 0) this.host.drained(this.inputs);
      return session.worked;
    } catch (err) {
      const reason = redactSecrets(errorMessage(err));
      const returned = await session.rollback(this.penaltyMs, (queue, ffs) => this.setAside(queue, ffs, reason));
      this.stats.counters.errors++;
      this.idle = false;
      this.yieldUntil = Date.now() + Math.min(this.yieldMs, this.penaltyMs || this.yieldMs);
      const ids = returned.map((ff) => ff.id);
      this.bulletin(
        'error',
        `${errorMessage(err)}; session rolled back${ids.length > 0 ? `, ${ids.length} FlowFile(s) penalized for ${this.spec.schedule.penalty}` : ''}`,
        ids,
      );
      return true;
    } finally {
      this.activeTasks--;
      this.stats.endBusy(token, Date.now());
    }
  }

  /**
   * Races onTrigger against the watchdog and a stop past its grace. An abandoned trigger may still run on (a
   * promise cannot be cancelled): its session is rolled back, so whatever it does later is refused.
   */
  private watched(work: void | Promise<void>): Promise<void> {
    if (!(work instanceof Promise)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const abandon = (err: Error) => {
        cleanup();
        reject(err);
      };
      const timer =
        this.timeoutMs > 0
          ? setTimeout(
              () =>
                abandon(
                  new AbandonedTriggerError(
                    `watchdog: onTrigger did not return within ${this.spec.schedule.timeout}; the task was abandoned`,
                  ),
                ),
              this.timeoutMs,
            )
          : undefined;
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        this.inFlight.delete(abandon);
      };
      this.inFlight.add(abandon);
      work.then(
        () => {
          cleanup();
          resolve();
        },
        (err: unknown) => {
          cleanup();
          reject(err);
        },
      );
    });
  }

  private abandonAll(reason: string): void {
    for (const abandon of [...this.inFlight]) abandon(new AbandonedTriggerError(reason));
  }

  /** Rollback: FlowFiles that failed `quarantineAfter` times go to quarantine instead of back in line. */
  private async setAside(queue: FlowFileQueue, ffs: FlowFile[], reason: string): Promise<FlowFile[]> {
    const connection = this.inputs.find((c) => c.queue === queue);
    if (!connection) return ffs;
    try {
      const { retry, quarantined } = await setAsidePoison(
        connection,
        ffs,
        this.quarantineAfter,
        { processorId: this.spec.id, flowId: this.host.flowId, processorType: this.spec.type, reason },
        (events) => this.host.record(events),
      );
      if (quarantined.length > 0)
        this.bulletin(
          'error',
          `${quarantined.length} FlowFile(s) failed ${this.quarantineAfter} times and were moved to the quarantine of connection "${connection.id}": ${reason}`,
          quarantined.map((ff) => ff.id),
        );
      return retry;
    } catch (err) {
      this.bulletin('warn', `could not quarantine: ${errorMessage(err)}; the FlowFiles are retried`, []);
      return ffs;
    }
  }

  bulletin(level: Bulletin['level'], message: string, flowFileIds: string[], context: object = {}): void {
    // Never a sensitive parameter's value, whatever the processor's error said.
    const text = redactSecrets(message);
    const posted: Bulletin = { time: Date.now(), level, message: text, flowFileIds: flowFileIds.slice(0, 20) };
    this.bulletins.push(posted);
    if (this.bulletins.length > MAX_BULLETINS) this.bulletins.shift();
    this.host.posted?.(this.spec, posted);
    this.host.logger[level](
      { ...redactDeep(context), processor: this.spec.id, type: this.spec.type, flowFileIds: flowFileIds.slice(0, 5) },
      text,
    );
  }
}

function flowFileIdsIn(obj: object): string[] {
  const o = obj as { flowFileId?: unknown; flowFileIds?: unknown };
  if (Array.isArray(o.flowFileIds)) return o.flowFileIds.map(String);
  return typeof o.flowFileId === 'string' ? [o.flowFileId] : [];
}

/** The message of anything thrown: an Error, or a plain object with a message (JSONata throws those). */
export function errorMessage(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}
