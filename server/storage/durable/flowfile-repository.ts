import { mkdirSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { type Database, open, type RootDatabase } from 'lmdb';
import type { ResolvedConnection } from '../../../flows/flow-schema';
import type { ProcessorStateValues } from '../../engine/contract';
import type { QueueFactory } from '../../engine/flow-engine';
import type { FlowFile } from '../../engine/flowfile';
import type { ProvenanceStore } from '../../engine/provenance';
import type { ProvenanceBatch } from '../../engine/provenance-batch';
import type { Prioritizer } from '../../engine/queue';
import type { CommitWriter, SessionCommit } from '../../engine/session-commit';
import { ContentRepository } from './content-repository';
import { DurableQueue, type QueueRecordStore, type RecoveredQueue, type StoredSegment } from './durable-queue';
import { type FlowFileRecord, fromRecord, toRecord } from './flowfile-record';
import type { SyncPolicy } from './sync-policy';

/** A provenance store that can write a session's events inside the repository's own transaction. */
export interface StagingProvenanceStore extends ProvenanceStore {
  /** Inside the repository's transaction: writes the batch (never throws once it has written). */
  stage(batch: ProvenanceBatch): void;
  /** Before the transaction: the work that can be done outside LMDB's write lock (encoding). */
  prepare?(batch: ProvenanceBatch): void;
}

export interface FlowFileRepositoryOptions {
  sync: SyncPolicy;
  /** Queued FlowFiles kept in memory per connection; the rest wait on disk (NiFi: 20,000). */
  swapThreshold?: number;
  /** The provenance repository, opened on the same environment (its writes join each commit). */
  provenance?: (root: RootDatabase) => StagingProvenanceStore;
  contentFileThreshold?: number;
  contentArchiveMaxAgeMs?: number;
  contentArchiveMaxBytes?: number;
}

type RecordKey = [string, string, number];

const EMPTY: Buffer = Buffer.alloc(0);
const SEQ_LEASE = 1_000_000;
const CLEANUP_MS = 30_000;

/**
 * The FlowFile repository: every queued FlowFile of every flow, on disk (LMDB), with the content repository
 * and the processors' state in the same environment. A session's commit is one transaction: its outputs'
 * records, the removal of its inputs' records, its content claims and their reference counts, its provenance
 * and its processor's state, so a crash leaves either all of it or none. LMDB batches the transactions of
 * concurrent sessions into one write and one sync (group commit).
 */
export class FlowFileRepository implements QueueRecordStore {
  readonly content: ContentRepository;
  readonly provenance: StagingProvenanceStore | undefined;
  /** What the last open found: FlowFiles recovered and how long it took. */
  readonly recovery: { flowFiles: number; queues: number; ms: number };
  private readonly segments: Database<FlowFileRecord[], RecordKey>;
  private readonly acked: Database<number[], RecordKey>;
  /** Per segment [FlowFiles, bytes]: recovery counts what waits on disk without decoding it. */
  private readonly segmentSizes: Database<[number, number], RecordKey>;
  private readonly states: Database<ProcessorStateValues, [string, string]>;
  private readonly meta: Database<number, string>;
  private readonly stateCache = new Map<string, ProcessorStateValues>();
  private readonly recovered = new Map<string, RecoveredQueue>();
  private readonly swapThreshold: number;
  private seq = 0;
  private leaseEnd = 0;
  private readonly cleanupTimer: NodeJS.Timeout;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly root: RootDatabase,
    private readonly options: FlowFileRepositoryOptions,
  ) {
    this.swapThreshold = options.swapThreshold ?? 20_000;
    this.segments = root.openDB<FlowFileRecord[], RecordKey>('queue-segments', {});
    this.acked = root.openDB<number[], RecordKey>('queue-acked', {});
    this.segmentSizes = root.openDB<[number, number], RecordKey>('queue-segment-sizes', {});
    this.states = root.openDB<ProcessorStateValues, [string, string]>('processor-state', {});
    this.meta = root.openDB<number, string>('meta', {});
    this.content = new ContentRepository(root, {
      dir: path.join(dir, 'content'),
      sync: options.sync,
      fileThreshold: options.contentFileThreshold,
      archiveMaxAgeMs: options.contentArchiveMaxAgeMs,
      archiveMaxBytes: options.contentArchiveMaxBytes,
    });
    this.provenance = options.provenance?.(root);
    this.seq = this.meta.get('seqLease') ?? 0;
    this.leaseEnd = this.seq;
    for (const { key, value } of this.states.getRange({})) this.stateCache.set(stateKey(key[0], key[1]), value);
    this.recovery = this.recover();
    // Once at open (content that aged out while the server was down), then every CLEANUP_MS.
    void this.content.cleanup().catch(() => {});
    this.cleanupTimer = setInterval(() => void this.content.cleanup().catch(() => {}), CLEANUP_MS);
    this.cleanupTimer.unref();
  }

  /** Opens (or creates) the repository under `dir`; a clear error names the directory when it cannot. */
  static open(dir: string, options: FlowFileRepositoryOptions): FlowFileRepository {
    let root: RootDatabase;
    try {
      mkdirSync(path.join(dir, 'content'), { recursive: true });
      root = open({ path: path.join(dir, 'flowfiles'), noSync: options.sync === 'none', maxDbs: 32 });
    } catch (err) {
      throw repositoryError(dir, err);
    }
    try {
      return new FlowFileRepository(dir, root, options);
    } catch (err) {
      void root.close();
      throw repositoryError(dir, err);
    }
  }

  /** Reads every queue's segments in order: the head of each into memory, the rest counted as swapped. */
  private recover(): { flowFiles: number; queues: number; ms: number } {
    const started = performance.now();
    let current: RecoveredQueue | undefined;
    let currentKey = '';
    let inHead = 0;
    let flowFiles = 0;
    for (const { key, value } of this.segmentSizes.getRange({})) {
      const [flowId, connectionId, seq] = key;
      const k = queueKey(flowId, connectionId);
      if (k !== currentKey) {
        currentKey = k;
        current = { head: [], swappedCount: 0, swappedBytes: 0, swapFrom: 0 };
        inHead = 0;
        this.recovered.set(k, current);
      }
      if (inHead < this.swapThreshold && current!.swappedCount === 0) {
        const records = this.segments.get(key);
        if (!records) continue;
        const segment = this.segmentOf(seq, records, this.acked.get(key) ?? []);
        current!.head.push(segment);
        inHead += segment.entries.length;
        flowFiles += segment.entries.length;
        continue;
      }
      // Consumed positions of a swapped segment are rare (it was never in memory); count them when present.
      const acked = this.acked.get(key);
      let [live, bytes] = value;
      if (acked && acked.length > 0) {
        const records = this.segments.get(key) ?? [];
        live = records.length - acked.length;
        bytes = 0;
        const gone = new Set(acked);
        for (let i = 0; i < records.length; i++) if (!gone.has(i)) bytes += records[i]!.s;
      }
      if (current!.swappedCount === 0) current!.swapFrom = seq;
      current!.swappedCount += live;
      current!.swappedBytes += bytes;
      flowFiles += live;
    }
    return { flowFiles, queues: this.recovered.size, ms: Math.round(performance.now() - started) };
  }

  /** A stored segment's live FlowFiles, content read from its claims. */
  private segmentOf(seq: number, records: FlowFileRecord[], acked: number[]): StoredSegment {
    const gone = new Set(acked);
    const entries: StoredSegment['entries'] = [];
    for (let i = 0; i < records.length; i++) {
      if (gone.has(i)) continue;
      const record = records[i]!;
      let content: Buffer = EMPTY;
      if (record.c !== null) {
        const found = this.content.read(record.c);
        if (!found) throw new Error(`content claim ${record.c} of FlowFile ${record.i} is missing`);
        content = found;
      }
      entries.push({ index: i, ff: fromRecord(record, content) });
    }
    return { segment: { seq, size: records.length, remaining: entries.length, acked: [...acked] }, entries };
  }

  /** Queues on the repository; a connection that held FlowFiles before the restart gets them back. */
  readonly queueFactory: QueueFactory = (flowId: string, c: ResolvedConnection) => {
    const k = queueKey(flowId, c.id);
    const recovered = this.recovered.get(k);
    this.recovered.delete(k);
    return new DurableQueue(flowId, c.id, c.prioritizer as Prioritizer, this, this.swapThreshold, recovered);
  };

  /** Recovered queues no flow claimed (a connection deleted while the server was down), with their counts. */
  unclaimed(): { flowId: string; connectionId: string; flowFiles: number }[] {
    return [...this.recovered.entries()].map(([k, q]) => {
      const [flowId, connectionId] = k.split('\u0000') as [string, string];
      return { flowId, connectionId, flowFiles: q.head.length + q.swappedCount };
    });
  }

  processorState(flowId: string, processorId: string): ProcessorStateValues | undefined {
    return this.stateCache.get(stateKey(flowId, processorId));
  }

  nextSeq(): number {
    const seq = this.seq++;
    if (this.seq > this.leaseEnd) {
      this.leaseEnd = this.seq + SEQ_LEASE;
      this.meta.put('seqLease', this.leaseEnd);
    }
    return seq;
  }

  putSegment(flowId: string, connectionId: string, seq: number, ffs: readonly FlowFile[]): void {
    const records = new Array<FlowFileRecord>(ffs.length);
    let bytes = 0;
    for (let i = 0; i < ffs.length; i++) {
      records[i] = toRecord(ffs[i]!, this.content.claimOf(ffs[i]!.content));
      bytes += ffs[i]!.size;
    }
    this.segments.put([flowId, connectionId, seq], records);
    this.segmentSizes.put([flowId, connectionId, seq], [ffs.length, bytes]);
  }

  removeSegment(flowId: string, connectionId: string, seq: number): void {
    this.segments.remove([flowId, connectionId, seq]);
    this.segmentSizes.remove([flowId, connectionId, seq]);
    this.acked.remove([flowId, connectionId, seq]);
  }

  putAcked(flowId: string, connectionId: string, seq: number, acked: readonly number[]): void {
    this.acked.put([flowId, connectionId, seq], acked as number[]);
  }

  readSegments(flowId: string, connectionId: string, fromSeq: number, minFlowFiles: number): StoredSegment[] {
    const out: StoredSegment[] = [];
    let count = 0;
    const range = this.segments.getRange({
      start: [flowId, connectionId, fromSeq],
      end: [flowId, connectionId, Number.MAX_SAFE_INTEGER],
    });
    for (const { key, value } of range) {
      const segment = this.segmentOf(key[2], value, this.acked.get(key) ?? []);
      out.push(segment);
      count += segment.entries.length;
      if (count >= minFlowFiles) break;
    }
    return out;
  }

  /**
   * Runs `stage` in one transaction with the content the commit adds (prepared first) and the reference
   * changes, then waits for the disk as the sync policy says. LMDB cannot undo writes made by a callback
   * that throws, so everything that can fail (content files, claims, encodings) happens before, and `stage`
   * only issues writes.
   */
  async write(
    stage: () => void,
    io: { added: readonly FlowFile[]; removed: readonly FlowFile[] } = { added: [], removed: [] },
    beforeStage?: () => void,
  ): Promise<void> {
    if (this.closed) throw new Error(`the FlowFile repository in ${this.dir} is closed`);
    const prepared = this.content.prepare(io.added);
    const now = Date.now();
    try {
      beforeStage?.();
      await this.root.transaction(() => {
        stage();
        this.content.stage(prepared, io.added, io.removed, now);
      });
      if (this.options.sync === 'always') await this.root.flushed;
    } catch (err) {
      this.content.abort(prepared);
      throw repositoryError(this.dir, await commitCause(err));
    }
  }

  /**
   * Applies a committed session as one transaction (outputs, consumed inputs, content, provenance, state),
   * then makes it visible: outputs enter their queues, inputs leave theirs.
   */
  readonly commitWriter: CommitWriter = async (c: SessionCommit) => {
    const added: FlowFile[] = [];
    const removed: FlowFile[] = [];
    for (const [queue, ffs] of c.outputs) {
      durable(queue);
      for (const ff of ffs) added.push(ff);
    }
    for (const [queue, ffs] of c.acknowledged) {
      durable(queue);
      for (const ff of ffs) removed.push(ff);
    }
    const batch = c.provenance;
    const undo: (() => void)[] = [];
    try {
      await this.write(
        () => {
          // Consumed first: an unchanged FlowFile sent back into its own queue (a self-loop) is the same
          // object, and its new place must not be the one marked consumed.
          for (const [queue, ffs] of c.acknowledged) undo.push((queue as DurableQueue).stageRemove(ffs));
          for (const [queue, ffs] of c.outputs) (queue as DurableQueue).stageOffer(ffs);
          if (batch) this.provenance?.stage(batch);
          if (c.state) this.states.put([c.flowId, c.processorId], c.state);
        },
        { added, removed },
        // Claims exist once the content is prepared; the events name them before anything is written.
        () => {
          if (!batch) return;
          this.claimEvents(batch, c);
          this.provenance?.prepare?.(batch);
        },
      );
    } catch (err) {
      for (const [queue, ffs] of c.outputs) (queue as DurableQueue).abortOffer(ffs);
      for (const u of undo) u();
      throw err;
    }
    for (const [queue, ffs] of c.outputs) (queue as DurableQueue).applyOffer(ffs);
    for (const [queue, ffs] of c.acknowledged) (queue as DurableQueue).applyAcknowledge(ffs);
    for (const [queue, ffs] of c.requeued) await queue.requeue(ffs, 0, c.time);
    if (c.state) this.stateCache.set(stateKey(c.flowId, c.processorId), c.state);
  };

  /** Names, on each event, the content claim it saw (and for a content change, the one before). */
  private claimEvents(batch: ProvenanceBatch, c: SessionCommit): void {
    for (let i = 0; i < batch.length; i++) {
      const ff = batch.flowFiles[i]!;
      const claim = this.content.claimOf(ff.content);
      const previous = batch.types[i] === 'CONTENT_MODIFIED' ? c.previous.get(ff.id)?.content : undefined;
      batch.setClaims(i, claim, previous && this.content.claimOf(previous));
    }
  }

  /** Waits for what was written to be on disk, then closes the environment. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.cleanupTimer);
    await this.root.flushed;
    await this.provenance?.close?.();
    await this.root.close();
  }
}

function durable(queue: unknown): asserts queue is DurableQueue {
  if (!(queue instanceof DurableQueue))
    throw new Error('a session on the durable repository wrote to a queue that is not on it');
}

function queueKey(flowId: string, connectionId: string): string {
  return `${flowId}\u0000${connectionId}`;
}

function stateKey(flowId: string, processorId: string): string {
  return `${flowId}\u0000${processorId}`;
}

/**
 * lmdb-js rejects a failed commit with a generic error whose `commitError` is a (rejected) promise of the
 * real one: take that, and handle it so it never surfaces as an unhandled rejection.
 */
async function commitCause(err: unknown): Promise<unknown> {
  const pending = (err as { commitError?: unknown })?.commitError;
  if (pending && typeof (pending as Promise<unknown>).then === 'function')
    return (pending as Promise<unknown>).then(
      () => err,
      (cause: unknown) => cause,
    );
  return pending ?? err;
}

function diskFull(dir: string): boolean {
  try {
    const fs = statfsSync(dir);
    return fs.bavail * fs.bsize < 1024 * 1024;
  } catch {
    return false;
  }
}

/** One line that says which directory and what to do. */
export function repositoryError(dir: string, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  const message = e?.message ?? String(err);
  if (e?.code === 'ENOSPC' || /ENOSPC|No space left|MDB_MAP_FULL/i.test(message) || diskFull(dir))
    return new Error(`the disk holding ${dir} is full (${message}): free space there; nothing committed was lost`);
  if (e?.code === 'EACCES' || e?.code === 'EROFS' || /EACCES|EROFS|permission denied|read-only/i.test(message))
    return new Error(
      `cannot write the repository in ${dir} (${message}): give this user write access or choose another --data directory`,
    );
  if (/MDB_INVALID|MDB_CORRUPTED|MDB_VERSION_MISMATCH/.test(message))
    return new Error(
      `the repository in ${dir} is unreadable (${message}): restore it from a backup or move it aside to start empty`,
    );
  if (err instanceof Error && message.includes(dir)) return err;
  return new Error(`repository ${dir}: ${message}`);
}
