/**
 * MergeContent's binning, as pure functions over the FlowFiles one trigger took: which go together and
 * which bins are ready. Bins live only for one trigger; what is not ready goes back to the queue.
 */
import type { FlowFile } from '../../sdk';
import { FRAGMENT_COUNT, FRAGMENT_ID, FRAGMENT_INDEX } from '../fragments';

export interface BinLimits {
  minEntries: number;
  maxEntries: number;
  minBytes: number;
  maxBytes: number;
  /** 0 = bins never age out. */
  maxAgeMs: number;
  maxBins: number;
}

export type MergeReason = 'full' | 'minimum reached' | 'max age' | 'max bins' | 'complete';

export interface Bin {
  key: string;
  members: FlowFile[];
  bytes: number;
  /** When the oldest member was first seen by this processor. */
  since: number;
  full: boolean;
}

function newBin(key: string): Bin {
  return { key, members: [], bytes: 0, since: Number.POSITIVE_INFINITY, full: false };
}

/** Groups by correlation key (arrival order kept) and cuts each group into bins no larger than the maximums. */
export function packBins(
  ffs: readonly FlowFile[],
  keyOf: (ff: FlowFile) => string,
  seenAt: (ff: FlowFile) => number,
  limits: BinLimits,
): Bin[] {
  const open = new Map<string, Bin>();
  const bins: Bin[] = [];
  for (const ff of ffs) {
    const key = keyOf(ff);
    let bin = open.get(key);
    if (bin && (bin.members.length + 1 > limits.maxEntries || bin.bytes + ff.size > limits.maxBytes)) {
      bin.full = true;
      bin = undefined;
    }
    if (!bin) {
      bin = newBin(key);
      open.set(key, bin);
      bins.push(bin);
    }
    bin.members.push(ff);
    bin.bytes += ff.size;
    bin.since = Math.min(bin.since, seenAt(ff));
    if (bin.members.length >= limits.maxEntries || bin.bytes >= limits.maxBytes) bin.full = true;
  }
  return bins;
}

/**
 * Which bins to merge now: full ones, old ones, ones at their minimum once every available FlowFile was
 * seen (`exhausted`), the oldest beyond `maxBins`, and, when the take hit its limit without any of these,
 * the oldest (so a trigger always makes progress).
 */
export function readyBins(
  bins: readonly Bin[],
  limits: BinLimits,
  now: number,
  exhausted: boolean,
): Map<Bin, MergeReason> {
  const ready = new Map<Bin, MergeReason>();
  const waiting: Bin[] = [];
  for (const bin of bins) {
    if (bin.full) ready.set(bin, 'full');
    else if (limits.maxAgeMs > 0 && now - bin.since >= limits.maxAgeMs) ready.set(bin, 'max age');
    else if (exhausted && bin.members.length >= limits.minEntries && bin.bytes >= limits.minBytes)
      ready.set(bin, 'minimum reached');
    else waiting.push(bin);
  }
  waiting.sort((a, b) => a.since - b.since);
  let excess = waiting.length - limits.maxBins;
  if (excess <= 0 && !exhausted && ready.size === 0 && waiting.length > 0) excess = 1;
  for (let i = 0; i < excess; i++) ready.set(waiting[i]!, 'max bins');
  return ready;
}

export interface FragmentGroup {
  id: string;
  count: number;
  /** Members in fragment.index order, one per index. */
  members: FlowFile[];
  since: number;
}

/** Defragment: groups by fragment.identifier; FlowFiles with bad or conflicting fragment attributes are rejected. */
export function groupFragments(
  ffs: readonly FlowFile[],
  seenAt: (ff: FlowFile) => number,
): { groups: FragmentGroup[]; rejected: { ff: FlowFile; reason: string }[] } {
  const rejected: { ff: FlowFile; reason: string }[] = [];
  const byId = new Map<string, { count: number; byIndex: Map<number, FlowFile>; since: number }>();
  for (const ff of ffs) {
    const id = ff.attributes[FRAGMENT_ID];
    const index = Number(ff.attributes[FRAGMENT_INDEX]);
    const count = Number(ff.attributes[FRAGMENT_COUNT]);
    if (!id || !Number.isInteger(index) || !Number.isInteger(count) || index < 0 || index >= count) {
      rejected.push({
        ff,
        reason: `not a fragment: needs ${FRAGMENT_ID}, ${FRAGMENT_INDEX} (0-based) and ${FRAGMENT_COUNT} attributes, got ${JSON.stringify([id, ff.attributes[FRAGMENT_INDEX], ff.attributes[FRAGMENT_COUNT]])}`,
      });
      continue;
    }
    let group = byId.get(id);
    if (!group) {
      group = { count, byIndex: new Map(), since: Number.POSITIVE_INFINITY };
      byId.set(id, group);
    }
    if (group.count !== count) {
      rejected.push({ ff, reason: `${FRAGMENT_COUNT} ${count} differs from ${group.count} of the other fragments` });
      continue;
    }
    if (group.byIndex.has(index)) {
      rejected.push({ ff, reason: `duplicate fragment ${index} of ${id}` });
      continue;
    }
    group.byIndex.set(index, ff);
    group.since = Math.min(group.since, seenAt(ff));
  }
  const groups = [...byId].map(([id, g]) => ({
    id,
    count: g.count,
    members: [...g.byIndex].sort((a, b) => a[0] - b[0]).map(([, ff]) => ff),
    since: g.since,
  }));
  return { groups, rejected };
}
