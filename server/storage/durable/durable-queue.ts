import type { FlowFile } from '../../engine/flowfile';
import { MemoryQueue } from '../memory-queue';
import type { FlowFileQueue, Prioritizer, QueueDepth, QueuedFlowFile } from '../queue';

/** A stored queue entry as the repository reads it back. */
export interface StoredEntry {
  seq: number;
  ff: FlowFile;
}

/** What a durable queue needs from its repository. */
export interface QueueRecordStore {
  /** Inside a transaction: the next sequence number (queue order on disk). */
  nextSeq(): number;
  /** Inside a transaction: writes a queue record (and counts a reference to its content). */
  putRecord(flowId: string, connectionId: string, seq: number, ff: FlowFile): void;
  removeRecord(flowId: string, connectionId: string, seq: number): void;
  /** Up to `limit` entries of a queue in order, from `fromSeq` on (read outside any transaction). */
  readEntries(flowId: string, connectionId: string, fromSeq: number, limit: number): StoredEntry[];
  /** Runs `stage` in one durable transaction with the repository's sync policy (its own commit). */
  write(stage: () => void, content?: { added: readonly FlowFile[]; removed: readonly FlowFile[] }): Promise<void>;
}

/** What a queue held when the repository opened: its head in order, and how much more waits on disk. */
export interface RecoveredQueue {
  head: StoredEntry[];
  swappedCount: number;
  swappedBytes: number;
  /** The sequence number of the first entry not in `head`. */
  swapFrom: number;
}

/**
 * A connection's queue on the FlowFile repository. Every entry is a record on disk, written in the commit
 * that offered it and removed in the commit that consumed it; memory holds the head of the queue, at most
 * `swapThreshold` FlowFiles (NiFi's swapping): the rest stay on disk only and are read back in order as the
 * head drains. Entries staged for swapping always come after every entry in memory, so the order holds.
 */
export class DurableQueue implements FlowFileQueue {
  private readonly inner: MemoryQueue;
  private readonly seqOf = new WeakMap<FlowFile, number>();
  /** Entries on disk only (committed). */
  private swappedCount = 0;
  private swappedBytes = 0;
  /** Entries staged in a transaction not yet applied, going to memory or to the swap. */
  private stagedToMemory = 0;
  private stagedToSwap = 0;
  private readonly swapped = new WeakSet<FlowFile>();
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
      for (const { seq, ff } of recovered.head) this.seqOf.set(ff, seq);
      this.inner.offer(recovered.head.map((e) => e.ff));
      this.swappedCount = recovered.swappedCount;
      this.swappedBytes = recovered.swappedBytes;
      this.swapFrom = recovered.swapFrom;
    }
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

  /** Inside a transaction: writes the entries and decides, in sequence order, where each will wait. */
  stageOffer(ffs: readonly FlowFile[]): void {
    for (const ff of ffs) {
      const seq = this.store.nextSeq();
      this.seqOf.set(ff, seq);
      this.store.putRecord(this.flowId, this.connectionId, seq, ff);
      if (this.swapping || this.inner.depth().count + this.stagedToMemory >= this.swapThreshold) {
        if (!this.swapping) this.swapFrom = seq;
        this.swapped.add(ff);
        this.stagedToSwap++;
      } else this.stagedToMemory++;
    }
  }

  /** After the transaction committed: the entries become visible. */
  applyOffer(ffs: readonly FlowFile[]): void {
    const toMemory: FlowFile[] = [];
    for (const ff of ffs) {
      if (this.swapped.has(ff)) {
        this.swapped.delete(ff);
        this.stagedToSwap--;
        this.swappedCount++;
        this.swappedBytes += ff.size;
      } else {
        this.stagedToMemory--;
        toMemory.push(ff);
      }
    }
    if (toMemory.length > 0) this.inner.offer(toMemory);
  }

  /** The transaction failed: forget what was staged. */
  abortOffer(ffs: readonly FlowFile[]): void {
    for (const ff of ffs) {
      if (this.swapped.delete(ff)) this.stagedToSwap--;
      else this.stagedToMemory--;
    }
  }

  /** Inside a transaction: removes the records of consumed entries. */
  stageRemove(ffs: readonly FlowFile[]): void {
    for (const ff of ffs) {
      const seq = this.seqOf.get(ff);
      if (seq !== undefined) this.store.removeRecord(this.flowId, this.connectionId, seq);
    }
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

  /** Reads entries back from disk, in order, once the head has room for them. */
  private swapIn(): void {
    if (this.swappedCount === 0) return;
    const queued = this.inner.depth();
    const inMemory = queued.count - queued.inFlight;
    if (inMemory >= this.swapThreshold / 2) return;
    const room = Math.min(this.swappedCount, this.swapThreshold - inMemory);
    const entries = this.store.readEntries(this.flowId, this.connectionId, this.swapFrom, room);
    if (entries.length === 0) return;
    let bytes = 0;
    for (const { seq, ff } of entries) {
      this.seqOf.set(ff, seq);
      bytes += ff.size;
    }
    this.inner.offer(entries.map((e) => e.ff));
    this.swapFrom = entries[entries.length - 1]!.seq + 1;
    this.swappedCount -= entries.length;
    this.swappedBytes -= bytes;
  }

  /** In-memory bookkeeping after a commit that removed the records (see stageRemove). */
  applyAcknowledge(ffs: readonly FlowFile[]): void {
    this.inner.acknowledge(ffs);
  }

  async acknowledge(ffs: readonly FlowFile[]): Promise<void> {
    if (ffs.length === 0) return;
    await this.store.write(() => this.stageRemove(ffs), { added: [], removed: ffs });
    this.applyAcknowledge(ffs);
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
    void this.store.write(() => this.stageRemove(ffs), { added: [], removed: ffs }).catch(() => {});
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

  /** Removes every waiting entry, swapped ones included, durably, and returns them. */
  async drain(): Promise<FlowFile[]> {
    const all = this.inner.clear();
    while (this.swappedCount > 0) {
      const entries = this.store.readEntries(this.flowId, this.connectionId, this.swapFrom, 10_000);
      if (entries.length === 0) break;
      for (const { seq, ff } of entries) {
        this.seqOf.set(ff, seq);
        all.push(ff);
        this.swappedBytes -= ff.size;
      }
      this.swappedCount -= entries.length;
      this.swapFrom = entries[entries.length - 1]!.seq + 1;
    }
    this.swappedCount = 0;
    this.swappedBytes = 0;
    if (all.length > 0) await this.store.write(() => this.stageRemove(all), { added: [], removed: all });
    return all;
  }

  async close(): Promise<void> {}
}
