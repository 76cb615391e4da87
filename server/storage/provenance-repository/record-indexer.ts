/**
 * Builds the query indexes of committed records, after their commit and many records per transaction (see
 * lmdb-provenance-store): FlowFile id (every id an event names; see flowfile-index), component, flow and
 * event type (one entry per record, its value the record's time and types so a query filters without reading
 * the record), and time (see time-index; one widening per second per chunk). The entries are computed
 * into a list of puts, then issued.
 */
import type { Database, Key } from 'lmdb';
import type { IndexableRecord } from './event-codec';
import { ENTRY_OVERHEAD, FLOWFILE_ENTRY_BYTES, type FlowFileIndex, type IndexWrite } from './flowfile-index';
import type { TimeIndex } from './time-index';

/** Bytes an index entry of `parts` takes (key, value, LMDB's per-entry overhead). */
function entryBytes(parts: readonly string[], extra = ''): number {
  let n = ENTRY_OVERHEAD + 12 + extra.length;
  for (const p of parts) n += p.length;
  return n;
}

/** Bytes a record's index entries take, as counted against the maximum size (the same when written and evicted). */
export function indexBytesOf(rec: IndexableRecord): number {
  const types = rec.typeNamesPresent();
  let bytes = entryBytes(types, rec.componentId) + entryBytes(types, rec.flowId);
  for (const type of types) bytes += entryBytes([type]);
  let ids = rec.length;
  for (let i = 0; i < rec.length; i++) {
    const x = rec.extra(i);
    if (x) ids += (x.parentIds?.length ?? 0) + (x.childIds?.length ?? 0);
  }
  return bytes + ids * FLOWFILE_ENTRY_BYTES;
}

export class RecordIndexer {
  /** Second → lowest and highest record key of the chunk being built. */
  private readonly seconds = new Map<number, [number, number]>();

  constructor(
    private readonly index: Database<unknown, Key>,
    private readonly times: TimeIndex,
    private readonly flowFiles: FlowFileIndex,
  ) {}

  /** Adds record `key`'s entries to `writes` (call `flush` with the same list when the chunk is complete). */
  add(rec: IndexableRecord, key: number, writes: IndexWrite[]): void {
    for (let i = 0; i < rec.length; i++) {
      this.flowFiles.add(rec.flowFileId(i), key, writes);
      const x = rec.extra(i);
      if (x) {
        for (const id of x.parentIds ?? []) this.flowFiles.add(id, key, writes);
        for (const id of x.childIds ?? []) this.flowFiles.add(id, key, writes);
      }
    }
    const types = rec.typeNamesPresent();
    writes.push([this.index, ['c', rec.componentId, key], [rec.time, types]]);
    writes.push([this.index, ['f', rec.flowId, key], [rec.time, types]]);
    for (const type of types) writes.push([this.index, ['y', type, key], rec.time]);
    const second = Math.floor(rec.time / 1000);
    const range = this.seconds.get(second);
    if (!range) this.seconds.set(second, [key, key]);
    else {
      if (key < range[0]) range[0] = key;
      if (key > range[1]) range[1] = key;
    }
  }

  /** Adds what the chunk gathered: its FlowFile index part, its time buckets. */
  flush(writes: IndexWrite[]): void {
    this.flowFiles.flush(writes);
    for (const [second, [min, max]] of this.seconds) this.times.add(second * 1000, min, max, writes);
    this.seconds.clear();
  }

  /**
   * Issues the writes (in the current transaction). A write's own promise rejects with the transaction's
   * when the commit fails; the transaction's promise is the one that reports it, so these are left quiet.
   */
  static apply(writes: readonly IndexWrite[]): void {
    for (const [db, key, value] of writes) quiet((db as Database<unknown, Key>).put(key, value));
  }

  /** Removes record `key`'s component, flow and type entries (its FlowFile entries go with their segment). */
  remove(rec: IndexableRecord, key: number): void {
    this.index.remove(['c', rec.componentId, key]);
    this.index.remove(['f', rec.flowId, key]);
    for (const type of rec.typeNamesPresent()) this.index.remove(['y', type, key]);
  }
}

function quiet(result: unknown): void {
  if (result && typeof (result as PromiseLike<unknown>).then === 'function')
    (result as PromiseLike<unknown>).then(undefined, () => {});
}
