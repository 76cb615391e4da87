/**
 * Window state in the manner of Flink and Beam: tumbling, sliding and session windows per key, a
 * watermark, allowed lateness, and panes (a window fires when the watermark passes its end, again for each
 * late element within the allowed lateness, and early when flushed). Watermark W means "no element at or
 * before W is expected"; window [start, end) fires when W >= end - 1 and is gone when W >= end - 1 +
 * lateness (Flink's definitions). Pure: no I/O, no session; changes since `begin()` can be rolled back.
 */
import {
  type Accumulator,
  type AccumulatorSnapshot,
  type AggregateOp,
  accumulate,
  mergeAccumulator,
  newAccumulator,
  restoreAccumulator,
  snapshotAccumulator,
} from './aggregates';

export type WindowKind = 'tumbling' | 'sliding' | 'session';

export interface WindowSpec {
  kind: WindowKind;
  sizeMs: number;
  slideMs: number;
  gapMs: number;
  outOfOrdernessMs: number;
  allowedLatenessMs: number;
  ops: readonly AggregateOp[];
}

/** What a window keeps of each input: enough for JOIN provenance, not its content. */
export interface ParentRef {
  id: string;
  lineageStartDate: number;
}

export interface Window {
  /** Stable for the window's life (a session window keeps it while it grows): its name in a state store. */
  id: number;
  key: string;
  start: number;
  end: number;
  count: number;
  accs: Accumulator[];
  parents: ParentRef[];
  /** Panes fired so far. */
  panes: number;
  /** Has elements not in its last pane. */
  dirty: boolean;
}

export interface Element {
  t: number;
  key: string;
  /** One value per aggregation, in spec order (numbers already checked for numeric ops). */
  values: readonly unknown[];
  parent: ParentRef;
}

export type PaneTiming = 'early' | 'on-time' | 'late';

export interface Pane {
  window: Window;
  index: number;
  timing: PaneTiming;
}

interface Snapshot {
  start: number;
  end: number;
  count: number;
  panes: number;
  dirty: boolean;
  parents: number;
  accs: AccumulatorSnapshot[];
}

interface Journal {
  watermark: number;
  seq: number;
  nextId: number;
  created: Set<Window>;
  removed: Window[];
  touched: Map<Window, Snapshot>;
}

/** What a state store keeps besides the windows. */
export interface WindowMeta {
  watermark: number;
  seq: number;
  nextId: number;
}

export class WindowState {
  watermark = Number.NEGATIVE_INFINITY;
  private seq = 0;
  private nextId = 1;
  private readonly byKey = new Map<string, Window[]>();
  private journal: Journal | undefined;

  constructor(readonly spec: WindowSpec) {}

  /** Windows [start, end) that an element at `t` falls in (session: its own window of one gap). */
  assign(t: number): [number, number][] {
    const { kind, sizeMs, slideMs, gapMs } = this.spec;
    if (kind === 'session') return [[t, t + gapMs]];
    if (kind === 'tumbling') {
      const start = Math.floor(t / sizeMs) * sizeMs;
      return [[start, start + sizeMs]];
    }
    const out: [number, number][] = [];
    for (let start = Math.floor(t / slideMs) * slideMs; start > t - sizeMs; start -= slideMs)
      out.push([start, start + sizeMs]);
    return out;
  }

  private expired(end: number): boolean {
    return this.watermark >= end - 1 + this.spec.allowedLatenessMs;
  }

  /** Adds an element; false when it is late (every window it belongs to is gone). */
  add(e: Element): boolean {
    const windows = this.spec.kind === 'session' ? this.sessionFor(e.key, e.t) : this.fixedFor(e.key, this.assign(e.t));
    if (windows.length === 0) return false;
    const seq = this.seq++;
    for (const w of windows) {
      this.touch(w);
      w.count++;
      for (let i = 0; i < this.spec.ops.length; i++)
        accumulate(this.spec.ops[i]!, w.accs[i]!, { t: e.t, seq, v: e.values[i] });
      w.parents.push(e.parent);
      w.dirty = true;
    }
    return true;
  }

  /** Moves the watermark after an element at `t` (never backwards). */
  observe(t: number): void {
    this.advance(t - this.spec.outOfOrdernessMs - 1);
  }

  advance(watermark: number): void {
    if (watermark > this.watermark) this.watermark = watermark;
  }

  private fixedFor(key: string, bounds: [number, number][]): Window[] {
    const out: Window[] = [];
    for (const [start, end] of bounds) {
      if (this.expired(end)) continue;
      const list = this.byKey.get(key);
      out.push(list?.find((w) => w.start === start) ?? this.create(key, start, end));
    }
    return out;
  }

  /** The session an element joins: its own gap, merged with every live session it touches. */
  private sessionFor(key: string, t: number): Window[] {
    const start = t;
    const end = t + this.spec.gapMs;
    const live = (this.byKey.get(key) ?? []).filter((w) => !this.expired(w.end) && w.start <= end && start <= w.end);
    if (live.length === 0) return this.expired(end) ? [] : [this.create(key, start, end)];
    const [target, ...others] = live as [Window, ...Window[]];
    this.touch(target);
    target.start = Math.min(target.start, start, ...others.map((w) => w.start));
    target.end = Math.max(target.end, end, ...others.map((w) => w.end));
    for (const other of others) {
      target.count += other.count;
      for (let i = 0; i < this.spec.ops.length; i++)
        mergeAccumulator(this.spec.ops[i]!, target.accs[i]!, other.accs[i]!);
      for (const p of other.parents) target.parents.push(p);
      target.panes = Math.max(target.panes, other.panes);
      target.dirty = true;
      this.remove(other);
    }
    return [target];
  }

  /**
   * The panes to emit now: every window with elements not yet emitted whose end the watermark passed (all
   * of them when flushing, as early panes). Then windows past their allowed lateness are dropped.
   */
  fire(flush = false): Pane[] {
    const panes: Pane[] = [];
    for (const list of this.byKey.values())
      for (const w of list) {
        const due = this.watermark >= w.end - 1;
        if (!w.dirty || !(due || flush)) continue;
        this.touch(w);
        panes.push({ window: w, index: w.panes, timing: !due ? 'early' : w.panes === 0 ? 'on-time' : 'late' });
        w.panes++;
        w.dirty = false;
      }
    for (const list of [...this.byKey.values()])
      for (const w of [...list]) if (flush || this.expired(w.end)) this.remove(w);
    return panes;
  }

  /** The earliest time (on the watermark's clock) at which a window fires or expires, if any. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const list of this.byKey.values())
      for (const w of list) {
        const at = w.dirty ? w.end - 1 : w.end - 1 + this.spec.allowedLatenessMs;
        if (next === undefined || at < next) next = at;
      }
    return next;
  }

  /** Every open window. */
  all(): Window[] {
    return [...this.byKey.values()].flat();
  }

  get openWindows(): number {
    let n = 0;
    for (const list of this.byKey.values()) n += list.length;
    return n;
  }

  /** Starts recording changes, so that `rollback()` can undo them. */
  begin(): void {
    this.journal = {
      watermark: this.watermark,
      seq: this.seq,
      nextId: this.nextId,
      created: new Set(),
      removed: [],
      touched: new Map(),
    };
  }

  commit(): void {
    this.journal = undefined;
  }

  rollback(): void {
    const j = this.journal;
    if (!j) return;
    this.journal = undefined;
    for (const [w, s] of j.touched) {
      w.start = s.start;
      w.end = s.end;
      w.count = s.count;
      w.panes = s.panes;
      w.dirty = s.dirty;
      w.parents.length = s.parents;
      for (let i = 0; i < w.accs.length; i++) restoreAccumulator(w.accs[i]!, s.accs[i]!);
    }
    for (const w of j.created) this.remove(w);
    for (const w of j.removed) if (!j.created.has(w)) this.insert(w);
    this.watermark = j.watermark;
    this.seq = j.seq;
    this.nextId = j.nextId;
  }

  /** Windows created, changed or removed since `begin()`: what a state store must write or delete. */
  affected(): Window[] {
    const j = this.journal;
    return j ? [...new Set([...j.touched.keys(), ...j.created, ...j.removed])] : [];
  }

  contains(w: Window): boolean {
    return this.byKey.get(w.key)?.includes(w) ?? false;
  }

  get meta(): WindowMeta {
    return { watermark: this.watermark, seq: this.seq, nextId: this.nextId };
  }

  /** Loads what a state store kept (at setup, before any element). */
  restore(meta: WindowMeta, windows: readonly Window[]): void {
    this.watermark = meta.watermark;
    this.seq = meta.seq;
    this.nextId = Math.max(meta.nextId, ...windows.map((w) => w.id + 1));
    for (const w of windows) this.insert(w);
  }

  private create(key: string, start: number, end: number): Window {
    const w: Window = {
      id: this.nextId++,
      key,
      start,
      end,
      count: 0,
      accs: this.spec.ops.map(newAccumulator),
      parents: [],
      panes: 0,
      dirty: false,
    };
    this.insert(w);
    this.journal?.created.add(w);
    return w;
  }

  private insert(w: Window): void {
    const list = this.byKey.get(w.key);
    if (!list) this.byKey.set(w.key, [w]);
    else {
      list.push(w);
      list.sort((a, b) => a.start - b.start);
    }
  }

  private remove(w: Window): void {
    const list = this.byKey.get(w.key);
    if (!list) return;
    const i = list.indexOf(w);
    if (i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) this.byKey.delete(w.key);
    this.journal?.removed.push(w);
  }

  /** Snapshots a window before its first change in this journal. */
  private touch(w: Window): void {
    const j = this.journal;
    if (!j || j.created.has(w) || j.touched.has(w)) return;
    j.touched.set(w, {
      start: w.start,
      end: w.end,
      count: w.count,
      panes: w.panes,
      dirty: w.dirty,
      parents: w.parents.length,
      accs: w.accs.map(snapshotAccumulator),
    });
  }
}
