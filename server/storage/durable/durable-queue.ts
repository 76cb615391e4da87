import type { FlowFile } from '../../engine/flowfile';
import type { FlowFileQueue, Prioritizer, QueueDepth, QueuedFlowFile } from '../../engine/queue';
import { MemoryQueue } from '../memory-queue';

/**
 * A segment: the FlowFiles one commit offered to one queue, in order, stored as one record (writes per batch,
 * not per FlowFile). `acked` lists the positions consumed so far; the record goes when all are.
 */
export interface Segment {
  readonly seq: number;
  readonly size: number;
  remaining: number;
  acked: number[];
}

/** A segment as read back from disk: its live FlowFiles with their positions. */
export interface StoredSegment {
  segment: Segment;
  entries: { index: number; ff: FlowFile }[];
}

/** What a durable queue needs from its repository. */
export interface QueueRecordStore {
  /** Inside a transaction: the next sequence number (queue order on disk). */
  nextSeq(): number;
  /** Inside a transaction: writes a segment. */
  putSegment(flowId: string, connectionId: string, seq: number, ffs: readonly FlowFile[]): void;
  /** Inside a transaction: removes a segment and its list of consumed positions. */
  removeSegment(flowId: string, connectionId: string, seq: number): void;
  /** Inside a transaction: records which positions of a segment were consumed. */
  putAcked(flowId: string, connectionId: string, seq: number, acked: readonly number[]): void;
  /** Segments in order from `fromSeq`, until at least `minFlowFiles` live FlowFiles (read outside a transaction). */
  readSegments(flowId: string, connectionId: string, fromSeq: number, minFlowFiles: number): StoredSegment[];
  /** Runs `stage` in one durable transaction with the repository's sync policy (its own commit). */
  write(stage: () => void, content?: { added: readonly FlowFile[]; removed: readonly FlowFile[] }): Promise<void>;
}

/** What a queue held when the repository opened: its head in order, and how much more waits on disk. */
export interface RecoveredQueue {
  head: StoredSegment[];
  swappedCount: number;
  swappedBytes: number;
  /** The sequence number of the first segment not in `head`. */
  swapFrom: number;
}

interface Slot {
  segment: Segment;
  index: number;
}

/**
 * A connection's queue on the FlowFile repository. Every FlowFile in it is on disk, in the segment written
 * by the commit that offered it, until the commit that consumed it; memory holds the head of the queue, at
 * most about `swapThreshold` FlowFiles (NiFi's swapping): later segments stay on disk only and are read back
 * in order as the head drains. Segments staged for swapping always come after every one in memory.
 */
export class DurableQueue implements FlowFileQueue {
  private readonly inner: MemoryQueue;
  /** Where each FlowFile in memory sits on disk, by id (a string key hashes once; cheaper than a WeakMap). */
  private readonly slots = new Map<string, Slot>();
  /** FlowFiles on disk only (committed). */
  private swappedCount = 0;
  private swappedBytes = 0;
  /** FlowFiles staged in a transaction not yet applied, going to memory or to the swap. */
  private stagedToMemory = 0;
  private stagedToSwap = 0;
  private readonly toSwap = new WeakSet<readonly FlowFile[]>();
  private readonly staged = new WeakSet<readonly FlowFile[]>();
  private swapFrom = 0;

  constructor(
    readonly flowId: string,
    readonly connectionId: string,
    prioritizer: Prioritizer,
    private readonly store: QueueRecordStore,
    private readonly swapThreshold: number,
    recovered?: RecoveredQueue,
  ) {
    this.inner = new MemoryQueue(connectionId, prioritizer);
    if (recovered) {
      this.load(recovered.head);
      this.swappedCount = recovered.swappedCount;
      this.swappedBytes = recovered.swappedBytes;
      this.swapFrom = recovered.swapFrom;
    }
  }

  private load(segments: readonly StoredSegment[]): FlowFile[] {
    const ffs: FlowFile[] = [];
    for (const { segment, entries } of segments)
      for (const { index, ff } of entries) {
        this.slots.set(ff.id, { segment, index });
        ffs.push(ff);
      }
    this.inner.offer(ffs);
    return ffs;
  }

  private get swapping(): boolean {
    return this.swappedCount > 0 || this.stagedToSwap > 0;
  }

  depth(): QueueDepth {
    const d = this.inner.depth();
    if (this.swappedCount === 0) return d;
    return { ...d, count: d.count + this.swappedCount, bytes: d.bytes + this.swappedBytes };
  }

  /** FlowFiles waiting on disk only (swapped out). */
  get swappedOut(): number {
    return this.swappedCount;
  }

  hasAvailable(now: number): boolean {
    return this.inner.hasAvailable(now) || this.swappedCount > 0;
  }

  nextRelease(): number | undefined {
    return this.inner.nextRelease();
  }

  /** Inside a transaction: writes the batch as one segment and decides where it will wait. */
  stageOffer(ffs: readonly FlowFile[]): void {
    if (ffs.length === 0) return;
    const seq = this.store.nextSeq();
    this.store.putSegment(this.flowId, this.connectionId, seq, ffs);
    const segment: Segment = { seq, size: ffs.length, remaining: ffs.length, acked: [] };
    this.staged.add(ffs);
    for (let i = 0; i < ffs.length; i++) this.slots.set(ffs[i]!.id, { segment, index: i });
    if (this.swapping || this.inner.size + this.stagedToMemory + ffs.length > this.swapThreshold) {
      if (!this.swapping) this.swapFrom = seq;
      this.toSwap.add(ffs);
      this.stagedToSwap += ffs.length;
    } else this.stagedToMemory += ffs.length;
  }

  /** After the transaction committed: the batch becomes visible. */
  applyOffer(ffs: readonly FlowFile[]): void {
    if (!this.staged.delete(ffs)) return;
    if (this.toSwap.delete(ffs)) {
      this.stagedToSwap -= ffs.length;
      this.swappedCount += ffs.length;
      for (const ff of ffs) {
        this.swappedBytes += ff.size;
        this.slots.delete(ff.id); // read again with its segment when swapped in
      }
      return;
    }
    this.stagedToMemory -= ffs.length;
    this.inner.offer(ffs);
  }

  /** The transaction failed: forget what was staged. */
  abortOffer(ffs: readonly FlowFile[]): void {
    if (!this.staged.delete(ffs)) return;
    for (const ff of ffs) this.slots.delete(ff.id);
    if (this.toSwap.delete(ffs)) this.stagedToSwap -= ffs.length;
    else this.stagedToMemory -= ffs.length;
  }

  /**
   * Inside a transaction: marks the FlowFiles consumed in their segments (a segment with nothing left is
   * removed). Returns how to undo the marks if the transaction fails.
   */
  stageRemove(ffs: readonly FlowFile[]): () => void {
    const touched = new Map<Segment, number[]>();
    const slotOf = new Map<FlowFile, Slot>();
    for (const ff of ffs) {
      const slot = this.slots.get(ff.id);
      if (!slot) continue;
      this.slots.delete(ff.id);
      slotOf.set(ff, slot);
      let list = touched.get(slot.segment);
      if (!list) {
        list = [];
        touched.set(slot.segment, list);
      }
      list.push(slot.index);
    }
    for (const [segment, indexes] of touched) {
      segment.remaining -= indexes.length;
      for (const i of indexes) segment.acked.push(i);
      if (segment.remaining <= 0) this.store.removeSegment(this.flowId, this.connectionId, segment.seq);
      else this.store.putAcked(this.flowId, this.connectionId, segment.seq, segment.acked);
    }
    return () => {
      for (const ff of ffs) {
        const slot = slotOf.get(ff);
        if (slot) this.slots.set(ff.id, slot);
      }
      for (const [segment, indexes] of touched) {
        segment.remaining += indexes.length;
        const undone = new Set(indexes);
        segment.acked = segment.acked.filter((i) => !undone.has(i));
      }
    };
  }

  async offer(ffs: readonly FlowFile[]): Promise<void> {
    if (ffs.length === 0) return;
    try {
      await this.store.write(() => this.stageOffer(ffs), { added: ffs, removed: [] });
    } catch (err) {
      this.abortOffer(ffs);
      throw err;
    }
    this.applyOffer(ffs);
  }

  take(max: number, now: number): FlowFile[] {
    this.swapIn();
    return this.inner.take(max, now);
  }

  /** Reads segments back from disk, in order, once the head has room for them. */
  private swapIn(): void {
    if (this.swappedCount === 0) return;
    const queued = this.inner.depth();
    const inMemory = queued.count - queued.inFlight;
    if (inMemory >= this.swapThreshold / 2) return;
    const room = Math.min(this.swappedCount, Math.max(1, this.swapThreshold - inMemory));
    const segments = this.store.readSegments(this.flowId, this.connectionId, this.swapFrom, room);
    if (segments.length === 0) return;
    const ffs = this.load(segments);
    let bytes = 0;
    for (const ff of ffs) bytes += ff.size;
    this.swapFrom = segments[segments.length - 1]!.segment.seq + 1;
    this.swappedCount -= ffs.length;
    this.swappedBytes -= bytes;
  }

  /** In-memory bookkeeping after a commit that consumed them (see stageRemove). */
  applyAcknowledge(ffs: readonly FlowFile[]): void {
    this.inner.acknowledge(ffs);
  }

  async acknowledge(ffs: readonly FlowFile[]): Promise<void> {
    if (ffs.length === 0) return;
    await this.removeDurably(ffs);
    this.applyAcknowledge(ffs);
  }

  private async removeDurably(ffs: readonly FlowFile[]): Promise<void> {
    let undo: (() => void) | undefined;
    try {
      await this.store.write(
        () => {
          undo = this.stageRemove(ffs);
        },
        { added: [], removed: ffs },
      );
    } catch (err) {
      undo?.();
      throw err;
    }
  }

  /** Back to the queue: the records stay where they are (a restart finds them in their old place). */
  requeue(ffs: readonly FlowFile[], penaltyMs: number, now: number): void {
    this.inner.requeue(ffs, penaltyMs, now);
  }

  /** Expired entries leave memory at once; their records go in a transaction of their own. */
  expire(maxAgeMs: number, now: number): FlowFile[] {
    const expired = this.inner.expire(maxAgeMs, now);
    if (expired.length > 0) this.removeDetached(expired);
    return expired;
  }

  private removeDetached(ffs: readonly FlowFile[]): void {
    // At worst a crash before this commit brings them back after the restart, where they expire again.
    void this.removeDurably(ffs).catch(() => {});
  }

  oldestEntryDate(): number | undefined {
    return this.inner.oldestEntryDate();
  }

  list(limit: number, now: number): QueuedFlowFile[] {
    return this.inner.list(limit, now);
  }

  find(flowFileId: string): FlowFile | undefined {
    return this.inner.find(flowFileId);
  }

  clear(): FlowFile[] {
    const cleared = this.inner.clear();
    if (cleared.length > 0) this.removeDetached(cleared);
    return cleared;
  }

  /** Removes every waiting FlowFile, swapped ones included, durably, and returns them. */
  async drain(): Promise<FlowFile[]> {
    const all = this.inner.clear();
    while (this.swappedCount > 0) {
      const segments = this.store.readSegments(this.flowId, this.connectionId, this.swapFrom, 10_000);
      if (segments.length === 0) break;
      for (const { segment, entries } of segments)
        for (const { index, ff } of entries) {
          this.slots.set(ff.id, { segment, index });
          all.push(ff);
        }
      this.swapFrom = segments[segments.length - 1]!.segment.seq + 1;
      this.swappedCount -= segments.reduce((n, s) => n + s.entries.length, 0);
    }
    this.swappedCount = 0;
    this.swappedBytes = 0;
    if (all.length > 0) await this.removeDurably(all);
    return all;
  }

  async close(): Promise<void> {}
}
