import { getOrInsert } from '../util/maps';
import type { ProcessorStateValues, ProcessSession } from './contract';
import {
  type Attributes,
  cloneFlowFile,
  type FlowFile,
  newFlowFile,
  withAttributes,
  withContent,
  withoutAttributes,
} from './flowfile';
import type { ProvenanceEventType } from './provenance';
import { ProvenanceBatch } from './provenance-batch';
import type { FlowFileQueue } from './queue';
import type { CommitWriter, SessionCommit } from './session-commit';

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
const REQUEUED = Symbol('requeued');

interface Tracked {
  current: FlowFile;
  origin: 'input' | 'created' | 'clone';
  attributesModified: boolean;
  contentModified: boolean;
  fate?: string | typeof REMOVED | typeof REQUEUED;
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

/**
 * A FORK event is the only event about the children a session created from one parent; when the parent has no
 * details of its own, the children's (`describe`) are its details: "eu: 200,000 records; us: 199,998 records".
 */
function forkDetails(children: readonly string[], described: Map<string, string> | undefined) {
  if (!described) return undefined;
  const parts = children.flatMap((id) => (described.has(id) ? [described.get(id)!] : []));
  if (parts.length === 0) return undefined;
  const text = parts.join('; ');
  return { details: text.length > 500 ? `${text.slice(0, 499)}…` : text };
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
  /** Provenance details per FlowFile id (`describe`), for the events that carry none of their own. */
  private details: Map<string, string> | undefined;
  private readonly forks = new Map<string, string[]>();
  private readonly onCommit: (() => void | Promise<void>)[] = [];
  private readonly onRollback: (() => void | Promise<void>)[] = [];
  private newState: ProcessorStateValues | undefined;
  private nextInput = 0;
  private takenCount = 0;
  private takenBytes = 0;
  private closed = false;
  private requeuedAny = false;

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
    if (!options.parents || options.parents.length === 0) {
      const ff = newFlowFile(options.content, options.attributes);
      this.tracked.set(ff.id, { current: ff, origin: 'created', attributesModified: false, contentModified: false });
      this.pending.push({ type: 'CREATE', flowFileId: ff.id });
      return ff;
    }
    const parents = options.parents.map((p) => this.latest(p));
    let inherited: Attributes = {};
    if (parents.length === 1) inherited = { ...parents[0]!.attributes };
    else {
      for (const [k, v] of Object.entries(parents[0]!.attributes))
        if (parents.every((p) => p.attributes[k] === v)) inherited[k] = v;
    }
    delete inherited.uuid;
    const lineageStart = parents.reduce((min, p) => Math.min(min, p.lineageStartDate), Number.POSITIVE_INFINITY);
    const ff = newFlowFile(options.content, { ...inherited, ...options.attributes }, lineageStart);
    this.tracked.set(ff.id, { current: ff, origin: 'created', attributesModified: false, contentModified: false });
    // One parent taken by this session forks; parents from earlier sessions (a window's inputs) always join.
    if (parents.length === 1 && this.tracked.has(parents[0]!.id))
      getOrInsert(this.forks, parents[0]!.id, () => []).push(ff.id);
    else this.pending.push({ type: 'JOIN', flowFileId: ff.id, parentIds: parents.map((p) => p.id) });
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

  requeue(ff: FlowFile): void {
    const t = this.track(ff);
    if (t.origin !== 'input' || t.attributesModified || t.contentModified)
      throw new Error(`FlowFile ${ff.id} cannot be requeued: only unchanged inputs go back to their queue`);
    t.fate = REQUEUED;
    this.requeuedAny = true;
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

  setState(state: ProcessorStateValues): void {
    this.assertOpen();
    this.newState = { ...state };
  }

  describe(ff: FlowFile, details: string): void {
    this.assertOpen();
    this.track(ff);
    this.details ??= new Map();
    this.details.set(ff.id, details);
  }

  /**
   * Applies the session: every FlowFile must have a fate; the outputs (a relationship with two connections
   * clones), the acknowledged and requeued inputs, the provenance and the new state go to `write` as one
   * commit, which makes them durable and visible together.
   */
  async commit(write: CommitWriter): Promise<CommitResult> {
    this.assertOpen();
    const unaccounted: string[] = [];
    for (const [id, t] of this.tracked) if (t.fate === undefined) unaccounted.push(id);
    if (unaccounted.length > 0)
      throw new UnaccountedFlowFilesError(
        `processor "${this.host.processorId}" neither transferred nor removed FlowFile(s) ${unaccounted.slice(0, 5).join(', ')}${unaccounted.length > 5 ? ` and ${unaccounted.length - 5} more` : ''}`,
      );

    const time = this.now();
    const { flowId, processorId, processorType } = this.host;
    const provenance = new ProvenanceBatch(time, flowId, processorId, processorType);
    const finalVersion = (id: string): FlowFile => this.tracked.get(id)!.current;

    const described = this.details;
    const detailsOf = (id: string) => (described?.has(id) ? { details: described.get(id) } : undefined);
    for (const p of this.pending) {
      const ff = this.tracked.get(p.flowFileId)?.current;
      if (!ff) continue;
      provenance.add(
        p.type,
        ff,
        undefined,
        p.details === undefined && described?.has(ff.id) ? { ...p, details: described.get(ff.id) } : p,
      );
    }
    for (const [parentId, children] of this.forks)
      provenance.add('FORK', finalVersion(parentId), undefined, {
        childIds: children,
        ...(detailsOf(parentId) ?? forkDetails(children, described)),
      });

    const outputs = new Map<FlowFileQueue, FlowFile[]>();
    let out = 0;
    let bytesOut = 0;
    const { outputs: wired, routes } = this.host;
    for (const t of this.tracked.values()) {
      const ff = t.current;
      if (t.fate === REQUEUED) continue;
      // A router's ROUTE event carries the attributes after the session, so it stands for their change too.
      const routed = routes && t.fate !== REMOVED;
      if (t.origin !== 'created') {
        if (t.attributesModified && !routed) provenance.add('ATTRIBUTES_MODIFIED', ff, undefined, detailsOf(ff.id));
        if (t.contentModified) provenance.add('CONTENT_MODIFIED', ff, undefined, detailsOf(ff.id));
      }
      if (t.fate === REMOVED) {
        provenance.add('DROP', ff);
        continue;
      }
      const relationship = t.fate as string;
      if (routes) provenance.add('ROUTE', ff, relationship, detailsOf(ff.id));
      const queues = wired.get(relationship);
      if (!queues || queues.length === 0) {
        provenance.add('DROP', ff, relationship);
        continue;
      }
      for (let i = 0; i < queues.length; i++) {
        let copy = ff;
        if (i > 0) {
          copy = cloneFlowFile(ff);
          provenance.add('CLONE', ff, relationship, { parentIds: [ff.id], childIds: [copy.id] });
        }
        getOrInsert(outputs, queues[i]!, () => []).push(copy);
        out++;
        bytesOut += copy.size;
      }
    }

    const acknowledged = new Map<FlowFileQueue, FlowFile[]>();
    const requeued = new Map<FlowFileQueue, FlowFile[]>();
    const previous = new Map<string, FlowFile>();
    let requeuedCount = 0;
    let requeuedBytes = 0;
    for (const [queue, ffs] of this.taken) {
      let done: FlowFile[] = ffs;
      if (this.requeuedAny) {
        done = [];
        const back: FlowFile[] = [];
        for (const ff of ffs) (this.tracked.get(ff.id)?.fate === REQUEUED ? back : done).push(ff);
        if (back.length > 0) requeued.set(queue, back);
        requeuedCount += back.length;
        for (const ff of back) requeuedBytes += ff.size;
      }
      if (done.length > 0) acknowledged.set(queue, done);
      for (const ff of done) if (this.tracked.get(ff.id)?.contentModified) previous.set(ff.id, ff);
    }
    const commit: SessionCommit = {
      flowId,
      processorId,
      time,
      outputs,
      acknowledged,
      requeued,
      previous,
      provenance: provenance.length > 0 ? provenance : undefined,
      state: this.newState,
    };
    await write(commit);
    this.closed = true;
    let afterCommitError: unknown;
    await runAll(this.onCommit).catch((err) => {
      afterCommitError = err;
    });
    return {
      in: this.takenCount - requeuedCount,
      bytesIn: this.takenBytes - requeuedBytes,
      out,
      bytesOut,
      afterCommitError,
    };
  }

  /** Undoes the session: inputs go back to their queues, penalized; created FlowFiles vanish unseen. */
  /**
   * `setAside` (optional) takes, per input queue, the FlowFiles that should not be retried (poison) and
   * returns the ones that should; it moves the others away itself.
   */
  async rollback(
    penaltyMs: number,
    setAside?: (queue: FlowFileQueue, ffs: FlowFile[]) => Promise<FlowFile[]>,
  ): Promise<FlowFile[]> {
    if (this.closed) return [];
    this.closed = true;
    const now = this.now();
    const returned: FlowFile[] = [];
    for (const [queue, taken] of this.taken) {
      const ffs = setAside ? await setAside(queue, taken) : taken;
      if (ffs.length > 0) await queue.requeue(ffs, penaltyMs, now);
      returned.push(...taken);
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
