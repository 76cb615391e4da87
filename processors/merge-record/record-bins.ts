/**
 * MergeRecord's binning, as pure functions over the FlowFiles one trigger took (their record counts known): which
 * go together (same correlation value and the same fields) and which bins are ready. As in MergeContent, bins live
 * for one trigger only; what is not ready goes back to the queue.
 */
import type { FlowFile, RecordSchema } from '../../sdk';

export interface BinLimits {
  minRecords: number;
  maxRecords: number;
  /** 0 = bins never age out. */
  maxAgeMs: number;
  maxBins: number;
}

export type MergeReason = 'full' | 'minimum reached' | 'max age' | 'max bins';

/** A FlowFile as the binning sees it. */
export interface BinEntry {
  ff: FlowFile;
  /** Correlation value and field names: entries of different keys never share a bin. */
  key: string;
  /** Its valid records. */
  records: number;
  /** When this processor first took it. */
  since: number;
}

export interface RecordBin {
  key: string;
  members: BinEntry[];
  records: number;
  since: number;
  full: boolean;
}

/** The bin key: correlation value and the schema's field names in order. */
export function binKey(correlation: string, schema: RecordSchema): string {
  return JSON.stringify([correlation, Object.keys(schema.properties)]);
}

/** Groups by key (arrival order kept) and cuts each group into bins of at most maxRecords records (a larger FlowFile alone). */
export function packRecordBins(entries: readonly BinEntry[], maxRecords: number): RecordBin[] {
  const open = new Map<string, RecordBin>();
  const bins: RecordBin[] = [];
  for (const entry of entries) {
    let bin = open.get(entry.key);
    if (bin && bin.records + entry.records > maxRecords) {
      bin.full = true;
      bin = undefined;
    }
    if (!bin) {
      bin = { key: entry.key, members: [], records: 0, since: Number.POSITIVE_INFINITY, full: false };
      open.set(entry.key, bin);
      bins.push(bin);
    }
    bin.members.push(entry);
    bin.records += entry.records;
    bin.since = Math.min(bin.since, entry.since);
    if (bin.records >= maxRecords) bin.full = true;
  }
  return bins;
}

/**
 * Which bins to merge now: full ones, old ones, ones at their minimum once every available FlowFile was seen
 * (`exhausted`), the oldest beyond maxBins, and, when the take hit its limit without any of these, the oldest
 * (so a trigger always makes progress).
 */
export function readyRecordBins(
  bins: readonly RecordBin[],
  limits: BinLimits,
  now: number,
  exhausted: boolean,
): Map<RecordBin, MergeReason> {
  const ready = new Map<RecordBin, MergeReason>();
  const waiting: RecordBin[] = [];
  for (const bin of bins) {
    if (bin.full) ready.set(bin, 'full');
    else if (limits.maxAgeMs > 0 && now - bin.since >= limits.maxAgeMs) ready.set(bin, 'max age');
    else if (exhausted && bin.records >= limits.minRecords) ready.set(bin, 'minimum reached');
    else waiting.push(bin);
  }
  waiting.sort((a, b) => a.since - b.since);
  let excess = waiting.length - limits.maxBins;
  if (excess <= 0 && !exhausted && ready.size === 0 && waiting.length > 0) excess = 1;
  for (let i = 0; i < excess; i++) ready.set(waiting[i]!, 'max bins');
  return ready;
}

/** One schema for records of schemas with the same fields: a field typed differently gets the union of the types. */
export function unionSchema(schemas: readonly RecordSchema[]): RecordSchema {
  const first = schemas[0]!;
  const properties = { ...first.properties };
  for (const schema of schemas.slice(1))
    for (const [field, property] of Object.entries(schema.properties)) {
      const mine = properties[field];
      if (!mine || JSON.stringify(mine) === JSON.stringify(property)) continue;
      const types = new Set([mine.type ?? [], property.type ?? []].flat());
      properties[field] = mine.type === undefined || property.type === undefined ? {} : { type: [...types] };
    }
  return { ...first, properties };
}
