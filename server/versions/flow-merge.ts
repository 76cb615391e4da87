/**
 * Three-way merge of flow JSONs (the `sluice merge-flow` git merge driver). Components are matched by id (and
 * parameters by name), never by array position, so two branches that change different processors, or different
 * properties of one processor, merge cleanly; a component changed on one side only is taken from that side. The
 * same property changed differently on both sides, a component changed on one side and removed on the other, or
 * two different components added under one id, is a conflict. Layout (position, size) is not worth a conflict:
 * ours wins, and the result says so.
 */
import { isPlainObject, jsonEqual } from './stable-json';

export interface MergeConflict {
  /** Where: `/processors[gen]/config/batchSize` (array items by id). */
  path: string;
  ours: unknown;
  theirs: unknown;
}

export interface FlowMerge {
  merged: unknown;
  conflicts: MergeConflict[];
  /** Layout changed on both sides: ours kept. */
  keptOurs: string[];
}

const LAYOUT = new Set(['position', 'size']);

export function mergeFlows(base: unknown, ours: unknown, theirs: unknown): FlowMerge {
  const result: FlowMerge = { merged: undefined, conflicts: [], keptOurs: [] };
  result.merged = merge(base, ours, theirs, '', result);
  return result;
}

function merge(base: unknown, ours: unknown, theirs: unknown, path: string, out: FlowMerge): unknown {
  if (jsonEqual(ours, theirs)) return ours;
  if (jsonEqual(base, ours)) return theirs;
  if (jsonEqual(base, theirs)) return ours;
  if (isPlainObject(base) && isPlainObject(ours) && isPlainObject(theirs)) {
    const merged: Record<string, unknown> = {};
    const keys = [...new Set([...Object.keys(ours), ...Object.keys(theirs), ...Object.keys(base)])];
    for (const key of keys) {
      const value = merge(base[key], ours[key], theirs[key], `${path}/${key}`, out);
      if (value !== undefined) merged[key] = value;
    }
    return merged;
  }
  const key = keyOf([base, ours, theirs]);
  if (key) return mergeList(base as Keyed[], ours as Keyed[], theirs as Keyed[], key, path, out);
  const last = path.split('/').at(-1) ?? '';
  if (LAYOUT.has(last) || path.split('/').some((s) => LAYOUT.has(s))) {
    out.keptOurs.push(path);
    return ours;
  }
  out.conflicts.push({ path: path || '/', ours, theirs });
  return ours;
}

type Keyed = Record<string, unknown>;

/** `id` (components) or `name` (parameters) when all three are arrays of objects that each have one. */
function keyOf(lists: unknown[]): 'id' | 'name' | undefined {
  if (!lists.every(Array.isArray)) return undefined;
  const items = (lists as unknown[][]).flat();
  for (const key of ['id', 'name'] as const)
    if (items.every((i) => isPlainObject(i) && typeof i[key] === 'string')) return key;
  return undefined;
}

/** Items matched by key: ours' order, then the items only theirs added. */
function mergeList(base: Keyed[], ours: Keyed[], theirs: Keyed[], key: string, path: string, out: FlowMerge): Keyed[] {
  const index = (list: Keyed[]) => new Map(list.map((item) => [item[key] as string, item]));
  const [b, o, t] = [index(base), index(ours), index(theirs)];
  const order = [...o.keys(), ...[...t.keys()].filter((k) => !o.has(k) && !b.has(k))];
  for (const k of b.keys()) if (!order.includes(k) && t.has(k) && !o.has(k)) order.push(k);
  const merged: Keyed[] = [];
  for (const k of order) {
    const value = merge(b.get(k), o.get(k), t.get(k), `${path}[${k}]`, out);
    if (value !== undefined) merged.push(value as Keyed);
  }
  return merged;
}
