/**
 * Accumulators of a window: count, sum, min, max, avg, first, last and collect. Each is a small object
 * that adds one value, merges another (session windows joining), snapshots and restores itself (a session
 * that rolls back) and gives its result as JSON.
 */

export type AggregateOp = 'count' | 'sum' | 'min' | 'max' | 'avg' | 'first' | 'last' | 'collect';

export const AGGREGATE_OPS: readonly AggregateOp[] = ['count', 'sum', 'min', 'max', 'avg', 'first', 'last', 'collect'];

/** Ops whose values must be numbers. */
export const NUMERIC_OPS: ReadonlySet<AggregateOp> = new Set(['sum', 'min', 'max', 'avg']);

/** A value at an event time; `seq` orders values with the same time by arrival. */
export interface Timed {
  t: number;
  seq: number;
  v: unknown;
}

export interface Accumulator {
  n: number;
  /** sum / avg */
  sum: number;
  /** min / max */
  extreme?: number;
  /** first / last */
  pick?: Timed;
  /** collect */
  items?: Timed[];
}

export interface AccumulatorSnapshot {
  n: number;
  sum: number;
  extreme?: number;
  pick?: Timed;
  itemCount: number;
}

export function newAccumulator(op: AggregateOp): Accumulator {
  return op === 'collect' ? { n: 0, sum: 0, items: [] } : { n: 0, sum: 0 };
}

/** Adds a value (already checked: a finite number for the numeric ops; undefined values are skipped). */
export function accumulate(op: AggregateOp, acc: Accumulator, value: Timed): void {
  if (op !== 'count' && value.v === undefined) return;
  acc.n++;
  switch (op) {
    case 'sum':
    case 'avg':
      acc.sum += value.v as number;
      break;
    case 'min':
      if (acc.extreme === undefined || (value.v as number) < acc.extreme) acc.extreme = value.v as number;
      break;
    case 'max':
      if (acc.extreme === undefined || (value.v as number) > acc.extreme) acc.extreme = value.v as number;
      break;
    case 'first':
      if (acc.pick === undefined || before(value, acc.pick)) acc.pick = value;
      break;
    case 'last':
      if (acc.pick === undefined || before(acc.pick, value)) acc.pick = value;
      break;
    case 'collect':
      acc.items!.push(value);
      break;
    case 'count':
      break;
  }
}

/** Folds `other` into `acc` (session windows merging); `other` is left unchanged. */
export function mergeAccumulator(op: AggregateOp, acc: Accumulator, other: Accumulator): void {
  acc.n += other.n;
  acc.sum += other.sum;
  if (other.extreme !== undefined && (op === 'min' || op === 'max')) {
    if (acc.extreme === undefined || (op === 'min' ? other.extreme < acc.extreme : other.extreme > acc.extreme))
      acc.extreme = other.extreme;
  }
  if (other.pick !== undefined && (op === 'first' || op === 'last')) {
    if (acc.pick === undefined || (op === 'first' ? before(other.pick, acc.pick) : before(acc.pick, other.pick)))
      acc.pick = other.pick;
  }
  if (op === 'collect') for (const item of other.items!) acc.items!.push(item);
}

export function snapshotAccumulator(acc: Accumulator): AccumulatorSnapshot {
  return { n: acc.n, sum: acc.sum, extreme: acc.extreme, pick: acc.pick, itemCount: acc.items?.length ?? 0 };
}

export function restoreAccumulator(acc: Accumulator, s: AccumulatorSnapshot): void {
  acc.n = s.n;
  acc.sum = s.sum;
  acc.extreme = s.extreme;
  acc.pick = s.pick;
  if (acc.items) acc.items.length = s.itemCount;
}

/** The JSON result: null when the window had no value for it (e.g. avg of nothing). */
export function resultOf(op: AggregateOp, acc: Accumulator, count: number): unknown {
  switch (op) {
    case 'count':
      return count;
    case 'sum':
      return acc.sum;
    case 'avg':
      return acc.n === 0 ? null : acc.sum / acc.n;
    case 'min':
    case 'max':
      return acc.extreme ?? null;
    case 'first':
    case 'last':
      return acc.pick === undefined ? null : acc.pick.v;
    case 'collect':
      return [...acc.items!].sort((a, b) => a.t - b.t || a.seq - b.seq).map((i) => i.v);
  }
}

function before(a: Timed, b: Timed): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

/** A value for a numeric op: numbers and numeric strings; anything else is an error message. */
export function numericValue(value: unknown): number | undefined | string {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) return `not a number: ${JSON.stringify(value)?.slice(0, 80)}`;
  return n;
}
