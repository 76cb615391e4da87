/**
 * What cards and queue labels ask about the connections of the level, computed once per edges array (the store
 * replaces the array on every change, so a cache keyed by it stays right) instead of one scan of all edges per
 * card and per label on every store update: O(E) instead of O(N × E).
 */
import type { QueueEdge } from '../flow-mapping';

export interface EdgeIndex {
  /** The relationships on the connections leaving each node. */
  relationshipsFrom: Map<string, string[]>;
  /** How many distinct nodes feed each target. */
  fanIn: Map<string, number>;
  /** How many connections leave each source handle (key: `fanOutKey(source, handle)`). */
  fanOut: Map<string, number>;
  /** Each connection's place among the connections joining the same two nodes (either way), and their number. */
  parallel: Map<string, { index: number; count: number }>;
}

export const fanOutKey = (source: string, handle: string | null | undefined) => `${source}\n${handle ?? ''}`;

const cache = new WeakMap<readonly QueueEdge[], EdgeIndex>();

function build(edges: readonly QueueEdge[]): EdgeIndex {
  const relationshipsFrom = new Map<string, string[]>();
  const feeders = new Map<string, Set<string>>();
  const fanOut = new Map<string, number>();
  const pairs = new Map<string, string[]>();
  for (const e of edges) {
    const rels = relationshipsFrom.get(e.source) ?? [];
    rels.push(...(e.data?.spec.relationships ?? []));
    relationshipsFrom.set(e.source, rels);
    const from = feeders.get(e.target) ?? new Set<string>();
    from.add(e.source);
    feeders.set(e.target, from);
    const key = fanOutKey(e.source, e.sourceHandle);
    fanOut.set(key, (fanOut.get(key) ?? 0) + 1);
    const pair = [e.source, e.target].sort().join('\n');
    const ids = pairs.get(pair) ?? [];
    ids.push(e.id);
    pairs.set(pair, ids);
  }
  const parallel = new Map<string, { index: number; count: number }>();
  for (const ids of pairs.values()) {
    ids.forEach((id, index) => {
      parallel.set(id, { index, count: ids.length });
    });
  }
  const fanIn = new Map([...feeders].map(([target, from]) => [target, from.size]));
  return { relationshipsFrom, fanIn, fanOut, parallel };
}

export function edgeIndex(edges: readonly QueueEdge[]): EdgeIndex {
  let index = cache.get(edges);
  if (!index) {
    index = build(edges);
    cache.set(edges, index);
  }
  return index;
}
