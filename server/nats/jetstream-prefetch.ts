/**
 * The FlowFiles a JetStream queue fetched into this process and that no session holds: ready ones in the
 * connection's prioritizer order, and penalized ones waiting for their time.
 */
import type { FlowFile } from '../engine/flowfile';
import { type OrderedStore, orderedStoreFor } from '../storage/ordering';

interface Penalized {
  ff: FlowFile;
  until: number;
}

export class PrefetchBuffer {
  private readonly ready: OrderedStore;
  private penalized: Penalized[] = [];
  /** Content bytes of everything here. */
  bytes = 0;

  constructor(prioritizer: string) {
    this.ready = orderedStoreFor(prioritizer);
  }

  /** Ready to be taken now. */
  get available(): number {
    return this.ready.length;
  }

  /** Everything here, ready or penalized. */
  get count(): number {
    return this.ready.length + this.penalized.length;
  }

  get penalizedCount(): number {
    return this.penalized.length;
  }

  nextRelease(): number | undefined {
    return this.penalized[0]?.until;
  }

  /** Penalized FlowFiles whose time has come become ready, ahead of the others. */
  release(now: number): void {
    if (this.penalized.length === 0 || this.penalized[0]!.until > now) return;
    const due = this.penalized.filter((p) => p.until <= now);
    this.penalized = this.penalized.filter((p) => p.until > now);
    for (let i = due.length - 1; i >= 0; i--) this.ready.pushFront(due[i]!.ff);
  }

  push(ff: FlowFile): void {
    this.ready.push(ff);
    this.bytes += ff.size;
  }

  /** Back ahead of the others, in their order (an unchanged retry). */
  pushFront(ffs: readonly FlowFile[]): void {
    for (let i = ffs.length - 1; i >= 0; i--) {
      this.ready.pushFront(ffs[i]!);
      this.bytes += ffs[i]!.size;
    }
  }

  penalize(ffs: readonly FlowFile[], until: number): void {
    for (const ff of ffs) {
      this.penalized.push({ ff, until });
      this.bytes += ff.size;
    }
    this.penalized.sort((a, b) => a.until - b.until);
  }

  shift(): FlowFile | undefined {
    const ff = this.ready.shift();
    if (ff) this.bytes -= ff.size;
    return ff;
  }

  /** Removes and returns the FlowFiles `pred` selects, ready or penalized. */
  removeWhere(pred: (ff: FlowFile) => boolean): FlowFile[] {
    const out = this.ready.removeWhere(pred);
    if (this.penalized.some((p) => pred(p.ff))) {
      for (const p of this.penalized) if (pred(p.ff)) out.push(p.ff);
      this.penalized = this.penalized.filter((p) => !pred(p.ff));
    }
    for (const ff of out) this.bytes -= ff.size;
    return out;
  }

  /** Ready ones in take order, then penalized ones. */
  entries(limit: number): { ff: FlowFile; penalized: boolean }[] {
    const out = this.ready.values(limit).map((ff) => ({ ff, penalized: false }));
    for (const p of this.penalized) {
      if (out.length >= limit) break;
      out.push({ ff: p.ff, penalized: true });
    }
    return out;
  }

  find(flowFileId: string): FlowFile | undefined {
    return (
      this.ready.values(this.ready.length).find((ff) => ff.id === flowFileId) ??
      this.penalized.find((p) => p.ff.id === flowFileId)?.ff
    );
  }
}
