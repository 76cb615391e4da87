/**
 * Queries over the provenance repository. The records the indexer has not reached yet are the newest (a few
 * ms' worth), so they are read first, by scanning them (filtered on what the staged record tells, decoded only
 * when they may match); then the indexes, up to the key their committed part covers. Every committed event is
 * seen exactly once, whether the indexer has run or not.
 */
import type { Database, Key } from 'lmdb';
import type { ProvenanceEvent, ProvenanceQuery } from '../../engine/provenance';
import { names, type StagedRecord, type StoredRecord } from './event-codec';
import type { FlowFileIndex } from './flowfile-index';
import type { TimeIndex } from './time-index';

const MAX_KEY = Number.MAX_SAFE_INTEGER;

/** What a query reads of the repository. */
export interface QueryableRepository {
  /** Every record with a key up to this one is in the committed indexes; those beyond are not. */
  readonly indexedTo: number;
  readonly events: Database<Buffer, number>;
  readonly index: Database<unknown, Key>;
  readonly times: TimeIndex;
  readonly flowFiles: FlowFileIndex;
  /** A record written and not yet indexed, when this process wrote it (after a restart: none). */
  staged(key: number): StagedRecord | undefined;
  record(key: number, data?: Buffer): StoredRecord | undefined;
}

/** Keys of the committed records the indexes do not cover yet, newest first, that may pass `test`. */
function* tail(repo: QueryableRepository, test: (rec: StagedRecord) => boolean): Generator<number> {
  for (const key of repo.events.getKeys({ start: MAX_KEY, end: repo.indexedTo + 0.5, reverse: true })) {
    const staged = repo.staged(key);
    if (!staged || test(staged)) yield key;
  }
}

/** Newest first; filters AND-ed; `from`/`to` inclusive; `limit` default 100 (as MemoryProvenanceStore). */
export function queryEvents(repo: QueryableRepository, q: ProvenanceQuery): ProvenanceEvent[] {
  const limit = q.limit ?? 100;
  const out: ProvenanceEvent[] = [];
  if (limit <= 0 || (q.from !== undefined && q.to !== undefined && q.from > q.to)) return out;
  const visit = (rec: StoredRecord | undefined) => {
    if (!rec) return;
    if (q.flowId !== undefined && rec.flowId !== q.flowId) return;
    if (q.componentId !== undefined && rec.componentId !== q.componentId) return;
    if ((q.from !== undefined && rec.time < q.from) || (q.to !== undefined && rec.time > q.to)) return;
    for (let i = rec.length - 1; i >= 0 && out.length < limit; i--) {
      if (q.type !== undefined && rec.type(i) !== q.type) continue;
      if (q.flowFileId !== undefined && rec.flowFileId(i) !== q.flowFileId) continue;
      out.push(rec.event(i));
    }
  };
  for (const key of tail(repo, (rec) => mayMatch(rec, q))) {
    visit(repo.record(key));
    if (out.length >= limit) return out;
  }
  const range = repo.times.keyRange(q.from, q.to);
  if (!range) return out;
  const lo = range[0];
  const hi = Math.min(range[1], repo.indexedTo);
  if (hi < lo) return out;
  if (q.flowFileId !== undefined) {
    for (const key of repo.flowFiles.recordKeys(q.flowFileId, lo, hi)) {
      visit(repo.record(key));
      if (out.length >= limit) break;
    }
    return out;
  }
  const driver: [string, string] | undefined =
    q.componentId !== undefined
      ? ['c', q.componentId]
      : q.type !== undefined
        ? ['y', q.type]
        : q.flowId !== undefined
          ? ['f', q.flowId]
          : undefined;
  if (driver) {
    const [kind, value] = driver;
    for (const entry of repo.index.getRange({
      start: [kind, value, hi],
      end: [kind, value, lo - 0.5],
      reverse: true,
    })) {
      // The entry tells the record's time (and types) without reading the record.
      const v = entry.value as number | [number, string[]];
      const time = typeof v === 'number' ? v : v[0];
      if ((q.from !== undefined && time < q.from) || (q.to !== undefined && time > q.to)) continue;
      if (q.type !== undefined && kind !== 'y' && !(v as [number, string[]])[1].includes(q.type)) continue;
      visit(repo.record((entry.key as [string, string, number])[2]));
      if (out.length >= limit) break;
    }
    return out;
  }
  for (const { key, value } of repo.events.getRange({ start: hi, end: lo - 0.5, reverse: true })) {
    visit(repo.record(key, value));
    if (out.length >= limit) break;
  }
  return out;
}

/** Every event that names `id` (as its FlowFile, a parent or a child): one step of a lineage walk. */
export function eventsNaming(
  repo: QueryableRepository,
  id: string,
  /** For a walk over many ids (lineage): records decoded once, events already gathered skipped. */
  walk?: { records: Map<number, StoredRecord | undefined>; skip: (eventId: number) => boolean },
): ProvenanceEvent[] {
  const out: ProvenanceEvent[] = [];
  const keys = [...tail(repo, (rec) => mentions(rec, id)), ...repo.flowFiles.recordKeys(id, 0, repo.indexedTo)];
  for (const key of keys) {
    let rec: StoredRecord | undefined;
    if (walk) {
      if (walk.records.has(key)) rec = walk.records.get(key);
      else {
        rec = repo.record(key);
        walk.records.set(key, rec);
      }
    } else rec = repo.record(key);
    if (!rec) continue;
    for (let i = 0; i < rec.length; i++) if (!walk?.skip(key + i) && names(rec, i, id)) out.push(rec.event(i));
  }
  return out;
}

/** Whether a record not yet indexed may hold events `q` asks for (checked again per event once decoded). */
function mayMatch(rec: StagedRecord, q: ProvenanceQuery): boolean {
  if (q.flowId !== undefined && rec.flowId !== q.flowId) return false;
  if (q.componentId !== undefined && rec.componentId !== q.componentId) return false;
  if ((q.from !== undefined && rec.time < q.from) || (q.to !== undefined && rec.time > q.to)) return false;
  if (q.type !== undefined && !rec.typeNamesPresent().includes(q.type)) return false;
  if (q.flowFileId === undefined) return true;
  for (let i = 0; i < rec.length; i++) if (rec.flowFileId(i) === q.flowFileId) return true;
  return false;
}

/** Whether a record not yet indexed names `id`. */
function mentions(rec: StagedRecord, id: string): boolean {
  for (let i = 0; i < rec.length; i++) if (names(rec, i, id)) return true;
  return false;
}
