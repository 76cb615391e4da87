import type { FlowFileQueue } from '../storage/queue';
import { getOrInsert } from '../util/maps';
import type { ProcessSession } from './contract';
import {
  type Attributes,
  cloneFlowFile,
  type FlowFile,
  newFlowFile,
  withAttributes,
  withContent,
  withoutAttributes,
} from './flowfile';
import { type NewProvenanceEvent, NO_IDS, type ProvenanceEventType } from './provenance';

/** What a session needs from the processor it runs for. */
export interface SessionHost {
  readonly flowId: string;
  readonly processorId: string;
  readonly processorType: string;
  readonly relationships: ReadonlySet<string>;
  /** Emit ROUTE on transfer. */
  readonly routes: boolean;
  readonly inputs: readonly FlowFileQueue[];
  /** Connections per relationship; a relationship absent here is auto-terminated. */
  readonly outputs: ReadonlyMap<string, readonly FlowFileQueue[]>;
}

const REMOVED = Symbol('removed');

interface Tracked {
  current: FlowFile;
  origin: 'input' | 'created' | 'clone';
  attributesModified: boolean;
  contentModified: boolean;
  fate?: string | typeof REMOVED;
}

interface PendingEvent {
  type: ProvenanceEventType;
  flowFileId: string;
  parentIds?: readonly string[];
  childIds?: readonly string[];
  transitUri?: string;
  details?: string;
}

export interface CommitResult {
  in: number;
  bytesIn: number;
  out: number;
  bytesOut: number;
  /** An afterCommit action failed; the commit itself stands. */
  afterCommitError?: unknown;
}

/** Thrown by commit when a FlowFile was taken or created but neither transferred nor removed. */
export class UnaccountedFlowFilesError extends Error {}

/**
 * A unit of work: FlowFiles taken from the inputs, changed, created and routed, all of it applied at
 * commit (outputs enqueued, provenance written, inputs acknowledged) or undone at rollback (inputs back
 * in their queues, penalized).
 */
export class Session implements ProcessSession {
  private readonly tracked = new Map<string, Tracked>();
  private readonly taken = new Map<FlowFileQueue, FlowFile[]>();
  private readonly pending: PendingEvent[] = [];
  private readonly forks = new Map<string, string[]>();
  private readonly onCommit: (() => void | Promise<void>)[] = [];
  private readonly onRollback: (() => void | Promise<void>)[] = [];
  private nextInput = 0;
  private takenCount = 0;
  private takenBytes = 0;
  private closed = false;

  constructor(
    private readonly host: SessionHost,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when the session took or created anything. */
  get worked(): boolean {
    return this.tracked.size > 0;
  }

  async get(max = 100): Promise<FlowFile[]> {
    this.assertOpen();
    const out: FlowFile[] = [];
    const inputs = this.host.inputs;
    const now = this.now();
    for (let i = 0; i < inputs.length && out.length < max; i++) {
      const queue = inputs[(this.nextInput + i) % inputs.length]!;
      if (!queue.hasAvailable(now)) continue;
      const batch = await queue.take(max - out.length, now);
      if (batch.length === 0) continue;
      const list = getOrInsert(this.taken, queue, () => []);
      for (const ff of batch) {
        list.push(ff);
        out.push(ff);
        this.takenBytes += ff.size;
        this.tracked.set(ff.id, { current: ff, origin: 'input', attributesModified: false, contentModified: false });
      }
    }
    this.takenCount += out.length;
    this.nextInput = (this.nextInput + 1) % Math.max(1, inputs.length);
    return out;
  }

  create(
    options: { parents?: readonly FlowFile[]; content?: Buffer | string; attributes?: Attributes } = {},
  ): FlowFile {
    this.assertOpen();
    const parents = (options.parents ?? []).map((p) => this.latest(p));
    let inherited: Attributes = {};
    if (parents.length === 1) inherited = { ...parents[0]!.attributes };
    else if (parents.length > 1) {
      for (const [k, v] of Object.entries(parents[0]!.attributes))
        if (parents.every((p) => p.attributes[k] === v)) inherited[k] = v;
    }
    delete inherited.uuid;
    const lineageStart = parents.length > 0 ? Math.min(...parents.map((p) => p.lineageStartDate)) : undefined;
    const ff = newFlowFile(options.content, { ...inherited, ...options.attributes }, lineageStart);
    this.tracked.set(ff.id, { current: ff, origin: 'created', attributesModified: false, contentModified: false });
    if (parents.length === 0) this.pending.push({ type: 'CREATE', flowFileId: ff.id });
    else if (parents.length === 1) {
      getOrInsert(this.forks, parents[0]!.id, () => []).push(ff.id);
    } else this.pending.push({ type: 'JOIN', flowFileId: ff.id, parentIds: parents.map((p) => p.id) });
    return ff;
  }

  clone(ff: FlowFile): FlowFile {
    const source = this.latest(ff);
    const copy = cloneFlowFile(source);
    this.tracked.set(copy.id, { current: copy, origin: 'clone', attributesModified: false, contentModified: false });
    this.pending.push({ type: 'CLONE', flowFileId: source.id, parentIds: [source.id], childIds: [copy.id] });
    return copy;
  }

  putAttributes(ff: FlowFile, attributes: Attributes): FlowFile {
    const t = this.track(ff);
    t.current = withAttributes(t.current, attributes);
    t.attributesModified = true;
    return t.current;
  }

  removeAttributes(ff: FlowFile, keys: readonly string[]): FlowFile {
    const t = this.track(ff);
    t.current = withoutAttributes(t.current, keys);
    t.attributesModified = true;
    return t.current;
  }

  write(ff: FlowFile, content: Buffer | string): FlowFile {
    const t = this.track(ff);
    t.current = withContent(t.current, content);
    t.contentModified = true;
    return t.current;
  }

  transfer(ff: FlowFile, relationship: string): void {
    if (!this.host.relationships.has(relationship))
      throw new Error(
        `"${relationship}" is not a relationship of processor "${this.host.processorId}" (${this.host.processorType}); expected one of: ${[...this.host.relationships].join(', ')}`,
      );
    this.track(ff).fate = relationship;
  }

  remove(ff: FlowFile): void {
    this.track(ff).fate = REMOVED;
  }

  reportReceive(ff: FlowFile, transitUri: string, details?: string): void {
    this.pending.push({ type: 'RECEIVE', flowFileId: this.track(ff).current.id, transitUri, details });
  }

  reportSend(ff: FlowFile, transitUri: string, details?: string): void {
    this.pending.push({ type: 'SEND', flowFileId: this.track(ff).current.id, transitUri, details });
  }

  reportFetch(ff: FlowFile, transitUri: string, details?: string): void {
    this.pending.push({ type: 'FETCH', flowFileId: this.track(ff).current.id, transitUri, details });
  }

  afterCommit(action: () => void | Promise<void>): void {
    this.assertOpen();
    this.onCommit.push(action);
  }

  afterRollback(action: () => void | Promise<void>): void {
    this.assertOpen();
    this.onRollback.push(action);
  }

  /**
   * Applies the session: every FlowFile must have a fate; outputs are enqueued (a relationship with two
   * connections clones), then provenance is returned for the caller to append, then inputs are acknowledged.
   */
  async commit(appendProvenance: (events: NewProvenanceEvent[]) => void | Promise<void>): Promise<CommitResult> {
    this.assertOpen();
    const unaccounted: string[] = [];
    for (const [id, t] of this.tracked) if (t.fate === undefined) unaccounted.push(id);
    if (unaccounted.length > 0)
      throw new UnaccountedFlowFilesError(
        `processor "${this.host.processorId}" neither transferred nor removed FlowFile(s) ${unaccounted.slice(0, 5).join(', ')}${unaccounted.length > 5 ? ` and ${unaccounted.length - 5} more` : ''}`,
      );

    const time = this.now();
    const events: NewProvenanceEvent[] = [];
    const event = (type: ProvenanceEventType, ff: FlowFile, extra?: Partial<NewProvenanceEvent>): void => {
      events.push({
        type,
        time,
        flowId: this.host.flowId,
        flowFileId: ff.id,
        componentId: this.host.processorId,
        componentType: this.host.processorType,
        parentIds: NO_IDS,
        childIds: NO_IDS,
        attributes: ff.attributes,
        contentSize: ff.size,
        lineageStartDate: ff.lineageStartDate,
        ...extra,
      });
    };
    const finalVersion = (id: string): FlowFile => this.tracked.get(id)!.current;

    for (const p of this.pending) {
      const ff = this.tracked.get(p.flowFileId)?.current;
      if (!ff) continue;
      event(p.type, ff, {
        parentIds: p.parentIds ?? NO_IDS,
        childIds: p.childIds ?? NO_IDS,
        transitUri: p.transitUri,
        details: p.details,
      });
    }
    for (const [parentId, children] of this.forks) event('FORK', finalVersion(parentId), { childIds: children });

    const batches = new Map<FlowFileQueue, FlowFile[]>();
    let out = 0;
    let bytesOut = 0;
    const { outputs, routes } = this.host;
    for (const t of this.tracked.values()) {
      const ff = t.current;
      if (t.origin !== 'created') {
        if (t.attributesModified) event('ATTRIBUTES_MODIFIED', ff);
        if (t.contentModified) event('CONTENT_MODIFIED', ff);
      }
      if (t.fate === REMOVED) {
        event('DROP', ff, { details: 'removed by processor' });
        continue;
      }
      const relationship = t.fate as string;
      if (routes) event('ROUTE', ff, { relationship });
      const queues = outputs.get(relationship);
      if (!queues || queues.length === 0) {
        event('DROP', ff, { relationship, details: `auto-terminated by ${relationship} relationship` });
        continue;
      }
      for (let i = 0; i < queues.length; i++) {
        let copy = ff;
        if (i > 0) {
          copy = cloneFlowFile(ff);
          event('CLONE', ff, { parentIds: [ff.id], childIds: [copy.id], relationship });
        }
        getOrInsert(batches, queues[i]!, () => []).push(copy);
        out++;
        bytesOut += copy.size;
      }
    }

    for (const [queue, batch] of batches) await queue.offer(batch);
    if (events.length > 0) await appendProvenance(events);
    for (const [queue, ffs] of this.taken) await queue.acknowledge(ffs);
    this.closed = true;
    let afterCommitError: unknown;
    await runAll(this.onCommit).catch((err) => {
      afterCommitError = err;
    });
    return { in: this.takenCount, bytesIn: this.takenBytes, out, bytesOut, afterCommitError };
  }

  /** Undoes the session: inputs go back to their queues, penalized; created FlowFiles vanish unseen. */
  async rollback(penaltyMs: number): Promise<FlowFile[]> {
    if (this.closed) return [];
    this.closed = true;
    const now = this.now();
    const returned: FlowFile[] = [];
    for (const [queue, ffs] of this.taken) {
      await queue.requeue(ffs, penaltyMs, now);
      returned.push(...ffs);
    }
    await runAll(this.onRollback);
    return returned;
  }

  private latest(ff: FlowFile): FlowFile {
    return this.tracked.get(ff.id)?.current ?? ff;
  }

  private track(ff: FlowFile): Tracked {
    this.assertOpen();
    const t = this.tracked.get(ff.id);
    if (!t) throw new Error(`FlowFile ${ff.id} does not belong to this session`);
    return t;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('session is already committed or rolled back');
  }
}

/** Runs callbacks in order; one that throws does not stop the others, and the first error is rethrown. */
async function runAll(actions: readonly (() => void | Promise<void>)[]): Promise<void> {
  let first: unknown;
  for (const action of actions) {
    try {
      await action();
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
}
