import type { FlowFile } from '../engine/flowfile';
import type { FlowFileQueue, Prioritizer, QueueDepth, QueuedFlowFile } from '../engine/queue';
import { type OrderedStore, orderedStoreFor } from './ordering';

interface Penalized {
  ff: FlowFile;
  until: number;
}

/** The embedded default: a connection's queue in this process's memory. */
export class MemoryQueue implements FlowFileQueue {
  private readonly store: OrderedStore;
  private penalized: Penalized[] = [];
  private inFlight = 0;
  private inFlightBytes = 0;
  private queuedBytes = 0;

  constructor(
    readonly connectionId: string,
    prioritizer: Prioritizer = 'fifo',
  ) {
    this.store = orderedStoreFor(prioritizer);
  }

  depth(): QueueDepth {
    return {
      count: this.store.length + this.penalized.length + this.inFlight,
      bytes: this.queuedBytes + this.inFlightBytes,
      inFlight: this.inFlight,
      penalized: this.penalized.length,
    };
  }

  private release(now: number): void {
    if (this.penalized.length === 0 || this.penalized[0]!.until > now) return;
    const ready = this.penalized.filter((p) => p.until <= now);
    this.penalized = this.penalized.filter((p) => p.until > now);
    for (let i = ready.length - 1; i >= 0; i--) this.store.pushFront(ready[i]!.ff);
  }

  /** FlowFiles queued, penalized or in flight (depth().count without building the object). */
  get size(): number {
    return this.store.length + this.penalized.length + this.inFlight;
  }

  /** A query, not a change: penalized FlowFiles move back into line when taken. */
  hasAvailable(now: number): boolean {
    return this.store.length > 0 || (this.penalized.length > 0 && this.penalized[0]!.until <= now);
  }

  nextRelease(): number | undefined {
    return this.penalized[0]?.until;
  }

  offer(ffs: readonly FlowFile[]): void {
    for (const ff of ffs) {
      this.store.push(ff);
      this.queuedBytes += ff.size;
    }
  }

  take(max: number, now: number): FlowFile[] {
    this.release(now);
    const n = Math.min(max, this.store.length);
    const out = new Array<FlowFile>(n);
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const ff = this.store.shift()!;
      out[i] = ff;
      bytes += ff.size;
    }
    this.queuedBytes -= bytes;
    this.inFlight += n;
    this.inFlightBytes += bytes;
    return out;
  }

  acknowledge(ffs: readonly FlowFile[]): void {
    let bytes = 0;
    for (const ff of ffs) bytes += ff.size;
    this.inFlight -= ffs.length;
    this.inFlightBytes -= bytes;
  }

  requeue(ffs: readonly FlowFile[], penaltyMs: number, now: number): void {
    this.acknowledge(ffs);
    const until = now + penaltyMs;
    for (const ff of ffs) {
      this.queuedBytes += ff.size;
      if (penaltyMs > 0) this.penalized.push({ ff, until });
    }
    // Backwards, so that pushing each to the front keeps the batch in its original order.
    if (penaltyMs <= 0) for (let i = ffs.length - 1; i >= 0; i--) this.store.pushFront(ffs[i]!);
    this.penalized.sort((a, b) => a.until - b.until);
  }

  expire(maxAgeMs: number, now: number): FlowFile[] {
    const cutoff = now - maxAgeMs;
    const old = (ff: FlowFile) => ff.entryDate < cutoff;
    const expired = this.store.removeWhere(old);
    if (this.penalized.some((p) => old(p.ff))) {
      for (const p of this.penalized) if (old(p.ff)) expired.push(p.ff);
      this.penalized = this.penalized.filter((p) => !old(p.ff));
    }
    for (const ff of expired) this.queuedBytes -= ff.size;
    return expired;
  }

  oldestEntryDate(): number | undefined {
    let oldest: number | undefined;
    for (const ff of this.store.values(1)) oldest = ff.entryDate;
    for (const p of this.penalized) if (oldest === undefined || p.ff.entryDate < oldest) oldest = p.ff.entryDate;
    return oldest;
  }

  list(limit: number, now: number): QueuedFlowFile[] {
    const entries = [
      ...this.store.values(limit).map((ff) => ({ ff, penalized: false })),
      ...this.penalized.map((p) => ({ ff: p.ff, penalized: true })),
    ].slice(0, limit);
    return entries.map(({ ff, penalized }, position) => ({
      position,
      id: ff.id,
      attributes: ff.attributes,
      size: ff.size,
      ageMs: now - ff.entryDate,
      penalized,
    }));
  }

  find(flowFileId: string): FlowFile | undefined {
    return (
      this.store.values(this.store.length).find((ff) => ff.id === flowFileId) ??
      this.penalized.find((p) => p.ff.id === flowFileId)?.ff
    );
  }

  async close(): Promise<void> {}

  clear(): FlowFile[] {
    const all = [...this.store.removeWhere(() => true), ...this.penalized.map((p) => p.ff)];
    this.penalized = [];
    this.queuedBytes = 0;
    return all;
  }
}
