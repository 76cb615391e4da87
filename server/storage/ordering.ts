import type { FlowFile } from '../engine/flowfile';

/** Where queued FlowFiles wait, in the order a prioritizer sets. */
export interface OrderedStore {
  readonly length: number;
  push(ff: FlowFile): void;
  /** Puts a FlowFile back ahead of the others where the order allows it (retries). */
  pushFront(ff: FlowFile): void;
  shift(): FlowFile | undefined;
  /** Removes the FlowFiles the predicate selects. */
  removeWhere(pred: (ff: FlowFile) => boolean): FlowFile[];
  /** In take order, without removing. */
  values(limit: number): FlowFile[];
}

/** FIFO: a ring-buffer deque. */
export class Deque implements OrderedStore {
  private items: (FlowFile | undefined)[] = new Array(16);
  private head = 0;
  length = 0;

  private grow(): void {
    const next = new Array<FlowFile | undefined>(this.items.length * 2);
    for (let i = 0; i < this.length; i++) next[i] = this.items[(this.head + i) % this.items.length];
    this.items = next;
    this.head = 0;
  }

  push(ff: FlowFile): void {
    if (this.length === this.items.length) this.grow();
    this.items[(this.head + this.length) % this.items.length] = ff;
    this.length++;
  }

  pushFront(ff: FlowFile): void {
    if (this.length === this.items.length) this.grow();
    this.head = (this.head - 1 + this.items.length) % this.items.length;
    this.items[this.head] = ff;
    this.length++;
  }

  shift(): FlowFile | undefined {
    if (this.length === 0) return undefined;
    const ff = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.length--;
    return ff;
  }

  removeWhere(pred: (ff: FlowFile) => boolean): FlowFile[] {
    const removed: FlowFile[] = [];
    const kept: FlowFile[] = [];
    while (this.length > 0) {
      const ff = this.shift()!;
      (pred(ff) ? removed : kept).push(ff);
    }
    for (const ff of kept) this.push(ff);
    return removed;
  }

  values(limit: number): FlowFile[] {
    const out: FlowFile[] = [];
    for (let i = 0; i < Math.min(limit, this.length); i++) out.push(this.items[(this.head + i) % this.items.length]!);
    return out;
  }
}

type Compare = (a: FlowFile, b: FlowFile) => number;

/** A binary heap ordered by a prioritizer; ties keep insertion order. */
export class PriorityStore implements OrderedStore {
  private heap: { ff: FlowFile; seq: number }[] = [];
  private seq = 0;
  private frontSeq = 0;

  constructor(private readonly compare: Compare) {}

  get length(): number {
    return this.heap.length;
  }

  private less(i: number, j: number): boolean {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    const c = this.compare(a.ff, b.ff);
    return c < 0 || (c === 0 && a.seq < b.seq);
  }

  private swap(i: number, j: number): void {
    const t = this.heap[i]!;
    this.heap[i] = this.heap[j]!;
    this.heap[j] = t;
  }

  private insert(ff: FlowFile, seq: number): void {
    this.heap.push({ ff, seq });
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  push(ff: FlowFile): void {
    this.insert(ff, this.seq++);
  }

  pushFront(ff: FlowFile): void {
    this.insert(ff, --this.frontSeq);
  }

  shift(): FlowFile | undefined {
    if (this.heap.length === 0) return undefined;
    const top = this.heap[0]!;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.heap.length && this.less(l, m)) m = l;
        if (r < this.heap.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top.ff;
  }

  removeWhere(pred: (ff: FlowFile) => boolean): FlowFile[] {
    const all = this.heap;
    this.heap = [];
    const removed: FlowFile[] = [];
    for (const item of all) {
      if (pred(item.ff)) removed.push(item.ff);
      else this.insert(item.ff, item.seq);
    }
    return removed;
  }

  values(limit: number): FlowFile[] {
    const copy = new PriorityStore(this.compare);
    copy.heap = [...this.heap];
    const out: FlowFile[] = [];
    while (out.length < limit && copy.length > 0) out.push(copy.shift()!);
    return out;
  }
}

function priorityOf(ff: FlowFile): string | undefined {
  return ff.attributes.priority;
}

/** Lower "priority" attribute first (numerically when both are numbers); FlowFiles without one go last. */
export function comparePriorityAttribute(a: FlowFile, b: FlowFile): number {
  const pa = priorityOf(a);
  const pb = priorityOf(b);
  if (pa === undefined || pb === undefined) return pa === pb ? 0 : pa === undefined ? 1 : -1;
  const na = Number(pa);
  const nb = Number(pb);
  if (pa.trim() !== '' && pb.trim() !== '' && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

export function orderedStoreFor(prioritizer: string): OrderedStore {
  switch (prioritizer) {
    case 'oldest-first':
      return new PriorityStore((a, b) => a.entryDate - b.entryDate);
    case 'newest-first':
      return new PriorityStore((a, b) => b.entryDate - a.entryDate);
    case 'priority-attribute':
      return new PriorityStore(comparePriorityAttribute);
    default:
      return new Deque();
  }
}
