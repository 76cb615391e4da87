/**
 * The provenance repository on disk (LMDB), one design for a single node and for NATS mode (where it is the
 * query index fed by the stream). One record per committed batch (see event-codec), plus indexes: FlowFile id
 * (every id an event names; see flowfile-index), component, flow and event type (one entry per record), and
 * time (see time-index). `stage()` writes into the caller's LMDB transaction, so a session's provenance commits
 * with its FlowFile repository changes or not at all.
 */
import { mkdirSync } from 'node:fs';
import { type Database, type Key, open, type RootDatabase } from 'lmdb';
import type {
  Lineage,
  NewProvenanceEvent,
  ProvenanceEvent,
  ProvenanceQuery,
  ProvenanceStore,
} from '../../engine/provenance';
import type { ProvenanceBatch } from '../../engine/provenance-batch';
import { buildLineage } from '../lineage';
import {
  batchSource,
  decodeRecord,
  encodeRecord,
  eventRuns,
  eventsSource,
  mentionedBy,
  type RecordSource,
  type StoredRecord,
} from './event-codec';
import { ENTRY_OVERHEAD, FlowFileIndex } from './flowfile-index';
import { commitFailure, repositoryError } from './repository-error';
import { type RepositoryRetention, repositoryRetentionFromEnv } from './retention';
import { TimeIndex } from './time-index';

export interface LmdbProvenanceOptions extends Partial<RepositoryRetention> {
  /** How often retention runs, ms. Default 5 s. */
  evictIntervalMs?: number;
  /** FlowFile index entries per segment (see flowfile-index). Default 4096. */
  segmentEntries?: number;
}

export interface LmdbProvenanceOpenOptions extends LmdbProvenanceOptions {
  /** Initial map size; LMDB grows it by itself when full. Default 64 GiB (address space, not disk). */
  mapSize?: number;
  /** Skip fsync (an index that can be rebuilt, as in NATS mode). Default false. */
  noSync?: boolean;
}

interface State {
  nextId: number;
  bytes: number;
}

const RECORD_CACHE = 256;
/** Longest a retention chunk holds the main thread, ms. */
const EVICT_BUDGET_MS = 5;
const MAX_KEY = Number.MAX_SAFE_INTEGER;

/** Bytes an index entry of `parts` takes (key, value, LMDB's per-entry overhead). */
function entryBytes(...parts: string[]): number {
  let n = ENTRY_OVERHEAD + 12;
  for (const p of parts) n += p.length;
  return n;
}

export class LmdbProvenanceStore implements ProvenanceStore {
  readonly path: string;
  private readonly events: Database<Buffer, number>;
  private readonly index: Database<unknown, Key>;
  private readonly meta: Database<unknown, Key>;
  private readonly ffDb: Database<Buffer, Buffer>;
  private readonly flowFiles: FlowFileIndex;
  private readonly times: TimeIndex;
  private readonly retention: RepositoryRetention;
  private readonly cache = new Map<number, StoredRecord>();
  private readonly timer: NodeJS.Timeout;
  private state: State;
  private evicting: Promise<number> | undefined;
  /** A failure of background retention, thrown by the next write so it is never lost. */
  private failure: Error | undefined;
  private closed = false;

  constructor(
    private readonly root: RootDatabase,
    options: LmdbProvenanceOptions = {},
    private readonly ownsRoot = false,
  ) {
    this.path = (root as unknown as { path?: string }).path ?? 'the LMDB environment';
    this.retention = { ...repositoryRetentionFromEnv(), ...definedOnly(options) };
    try {
      this.events = root.openDB<Buffer, number>('prov-events', { encoding: 'binary' });
      this.index = root.openDB('prov-index', { encoding: 'msgpack' });
      this.meta = root.openDB('prov-meta', { encoding: 'msgpack' });
      this.ffDb = root.openDB<Buffer, Buffer>('prov-flowfiles', { encoding: 'binary', keyEncoding: 'binary' });
      this.flowFiles = new FlowFileIndex(this.ffDb, this.meta, options.segmentEntries ?? 4096);
    } catch (err) {
      throw repositoryError(this.path, 'opening the provenance databases', err);
    }
    this.times = new TimeIndex(this.index);
    const saved = this.meta.get('state') as State | undefined;
    this.state = { nextId: saved?.nextId ?? 1, bytes: saved?.bytes ?? 0 };
    const last = this.firstRecord(true);
    if (last && last.lastId >= this.state.nextId) this.state.nextId = last.lastId + 1;
    this.timer = setInterval(() => void this.evict(), options.evictIntervalMs ?? 5000);
    this.timer.unref();
  }

  /** Opens (or creates) a repository with its own LMDB environment in `dir`. */
  static open(dir: string, options: LmdbProvenanceOpenOptions = {}): LmdbProvenanceStore {
    let root: RootDatabase;
    try {
      mkdirSync(dir, { recursive: true });
      root = open({ path: dir, maxDbs: 8, mapSize: options.mapSize ?? 64 * 1024 ** 3, noSync: options.noSync });
    } catch (err) {
      throw repositoryError(dir, 'opening', err);
    }
    try {
      return new LmdbProvenanceStore(root, options, true);
    } catch (err) {
      void root.close();
      throw err;
    }
  }

  /** The id the next event gets. */
  get nextEventId(): number {
    return this.state.nextId;
  }

  /** Bytes of records and index entries held, as counted when written. */
  get bytes(): number {
    return this.state.bytes;
  }

  /**
   * Writes a committed session's events in the current LMDB transaction: call it inside the caller's
   * `root.transaction(() => ...)`. Event ids are assigned here, in commit order.
   */
  stage(batch: ProvenanceBatch): void {
    this.rethrow();
    if (batch.length === 0) return;
    const firstId = this.state.nextId;
    this.state.nextId += batch.length;
    this.write(batchSource(batch), firstId);
  }

  /** Writes events `from`..`to` of a batch numbered elsewhere: `firstId`, `firstId + 1`, ... (NATS mode). */
  stageWithIds(batch: ProvenanceBatch, firstId: number, from = 0, to = batch.length): void {
    this.rethrow();
    if (to <= from || this.events.doesExist(firstId)) return;
    this.state.nextId = Math.max(this.state.nextId, firstId + (to - from));
    this.write(batchSource(batch, from, to), firstId);
  }

  /** Writes loose events, numbering them (and setting `eventId` on each, as the memory store does). */
  stageEvents(events: readonly NewProvenanceEvent[]): void {
    this.rethrow();
    for (const [from, to] of eventRuns(events)) {
      const firstId = this.state.nextId;
      this.state.nextId += to - from;
      for (let i = from; i < to; i++) (events[i] as ProvenanceEvent).eventId = firstId + i - from;
      this.write(eventsSource(events, from, to), firstId);
    }
  }

  /** Writes events numbered elsewhere (NATS mode); runs of consecutive ids become one record each. */
  stageNumberedEvents(events: readonly ProvenanceEvent[]): void {
    this.rethrow();
    for (const [from, to] of eventRuns(events, (e) => e.eventId)) {
      const firstId = events[from]!.eventId;
      if (this.events.doesExist(firstId)) continue;
      this.state.nextId = Math.max(this.state.nextId, events[to - 1]!.eventId + 1);
      this.write(eventsSource(events, from, to), firstId);
    }
  }

  appendBatch(batch: ProvenanceBatch): Promise<void> {
    return this.transaction(() => this.stage(batch), 'writing provenance');
  }

  append(events: readonly NewProvenanceEvent[]): Promise<void> {
    return this.transaction(() => this.stageEvents(events), 'writing provenance');
  }

  /** Runs `fn` in one LMDB transaction of this environment; a failure names the directory. */
  async transaction<T>(fn: () => T, action = 'writing provenance'): Promise<T> {
    try {
      return await this.root.transaction(fn);
    } catch (err) {
      throw repositoryError(this.path, action, err, await commitFailure(err));
    }
  }

  /** A small value kept with the events (the NATS consumer's position), written in the current transaction. */
  setMarker(name: string, value: unknown): void {
    this.meta.put(['marker', name], value);
  }

  marker<T>(name: string): T | undefined {
    return this.meta.get(['marker', name]) as T | undefined;
  }

  private write(source: RecordSource, firstId: number): void {
    const mentioned = new Set<string>();
    for (let i = 0; i < source.length; i++) {
      if (source.extra(i) === undefined) mentioned.add(source.flowFileId(i));
      else for (const id of mentionedBy(source, i)) mentioned.add(id);
    }
    const seg = this.flowFiles.current;
    let indexBytes = this.flowFiles.add(mentioned, firstId);
    const types = new Set<string>();
    for (let i = 0; i < source.length; i++) types.add(source.type(i));
    const typeList = [...types];
    this.index.put(['c', source.componentId, firstId], [source.time, typeList]);
    this.index.put(['f', source.flowId, firstId], [source.time, typeList]);
    indexBytes += entryBytes(source.componentId, ...typeList) + entryBytes(source.flowId, ...typeList);
    for (const type of typeList) {
      this.index.put(['y', type, firstId], source.time);
      indexBytes += entryBytes(type);
    }
    this.times.add(source.time, firstId);
    const record = encodeRecord(source, seg, indexBytes);
    this.events.put(firstId, record);
    this.state.bytes += record.length + indexBytes + ENTRY_OVERHEAD + 9;
    this.meta.put('state', this.state);
  }

  private rethrow(): void {
    const failure = this.failure;
    if (failure) {
      this.failure = undefined;
      throw failure;
    }
  }

  private record(key: number, data?: Buffer): StoredRecord | undefined {
    let rec = this.cache.get(key);
    if (rec) return rec;
    data ??= this.events.get(key);
    if (!data) return undefined;
    rec = decodeRecord(key, data);
    this.cache.set(key, rec);
    if (this.cache.size > RECORD_CACHE) this.cache.delete(this.cache.keys().next().value!);
    return rec;
  }

  private firstRecord(newest = false): StoredRecord | undefined {
    for (const { key, value } of this.events.getRange({ reverse: newest, limit: 1 })) return this.record(key, value);
    return undefined;
  }

  /** Newest first; filters AND-ed; `from`/`to` inclusive; `limit` default 100 (as MemoryProvenanceStore). */
  query(q: ProvenanceQuery): ProvenanceEvent[] {
    const limit = q.limit ?? 100;
    const out: ProvenanceEvent[] = [];
    const range = limit > 0 ? this.times.keyRange(q.from, q.to) : undefined;
    if (!range) return out;
    const [lo, hi] = range;
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
    if (q.flowFileId !== undefined) {
      for (const key of this.flowFiles.recordKeys(q.flowFileId, lo, hi)) {
        visit(this.record(key));
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
      for (const entry of this.index.getRange({
        start: [kind, value, hi],
        end: [kind, value, lo - 0.5],
        reverse: true,
      })) {
        // The entry tells the record's time (and types) without reading the record.
        const v = entry.value as number | [number, string[]];
        const time = typeof v === 'number' ? v : v[0];
        if ((q.from !== undefined && time < q.from) || (q.to !== undefined && time > q.to)) continue;
        if (q.type !== undefined && kind !== 'y' && !(v as [number, string[]])[1].includes(q.type)) continue;
        visit(this.record((entry.key as [string, string, number])[2]));
        if (out.length >= limit) break;
      }
      return out;
    }
    for (const { key, value } of this.events.getRange({ start: hi, end: lo - 0.5, reverse: true })) {
      visit(this.record(key, value));
      if (out.length >= limit) break;
    }
    return out;
  }

  get(eventId: number): ProvenanceEvent | undefined {
    for (const { key, value } of this.events.getRange({ start: eventId, reverse: true, limit: 1 })) {
      const rec = this.record(key, value)!;
      return eventId <= rec.lastId ? rec.event(eventId - key) : undefined;
    }
    return undefined;
  }

  /** Every ancestor and descendant, found through the FlowFile index (which holds parents and children too). */
  lineage(flowFileId: string): Lineage {
    return buildLineage(flowFileId, (id) => {
      const out: ProvenanceEvent[] = [];
      for (const key of this.flowFiles.recordKeys(id, 0, MAX_KEY)) {
        const rec = this.record(key);
        if (!rec) continue;
        for (let i = 0; i < rec.length; i++) if (rec.mentioned(i).includes(id)) out.push(rec.event(i));
      }
      return out;
    });
  }

  /**
   * Applies retention now: evicts whole batches, oldest first, while they are older than the maximum age or
   * the bytes held exceed the maximum size, in short transactions (a few ms each) so the event loop never
   * stalls. Resolves to the number of events evicted. Also runs by itself every `evictIntervalMs`.
   */
  evict(): Promise<number> {
    if (this.evicting) return this.evicting;
    const run = async () => {
      let total = 0;
      try {
        for (;;) {
          const [evicted, more] = await this.transaction(() => this.evictChunk(Date.now()), 'evicting old provenance');
          total += evicted;
          if (!more || this.closed) return total;
        }
      } catch (err) {
        this.failure = err as Error;
        throw err;
      } finally {
        this.evicting = undefined;
      }
    };
    this.evicting = run();
    // A timer's run has no one to await it; its failure is kept and thrown by the next write.
    this.evicting.catch(() => {});
    return this.evicting;
  }

  private evictChunk(now: number): [number, boolean] {
    const started = performance.now();
    const cutoff = now - this.retention.maxAgeMs;
    let evicted = 0;
    for (;;) {
      const batch = [...this.events.getRange({ limit: 16 })];
      let stop = batch.length === 0;
      for (const { key, value } of batch) {
        const rec = this.record(key, value)!;
        if (rec.time >= cutoff && this.state.bytes <= this.retention.maxBytes) {
          stop = true;
          break;
        }
        this.remove(rec);
        evicted += rec.length;
      }
      if (stop || performance.now() - started > EVICT_BUDGET_MS) {
        const oldest = this.firstRecord()?.firstId ?? this.state.nextId;
        this.flowFiles.dropBelow(oldest);
        this.times.dropBelow(oldest);
        this.meta.put('state', this.state);
        return [evicted, !stop];
      }
    }
  }

  private remove(rec: StoredRecord): void {
    const key = rec.firstId;
    const mentioned = new Set<string>();
    for (let i = 0; i < rec.length; i++) for (const id of rec.mentioned(i)) mentioned.add(id);
    this.flowFiles.remove(rec.seg, mentioned, key);
    this.index.remove(['c', rec.componentId, key]);
    this.index.remove(['f', rec.flowId, key]);
    for (const type of rec.typeNamesPresent()) this.index.remove(['y', type, key]);
    this.events.remove(key);
    this.cache.delete(key);
    this.state.bytes = Math.max(0, this.state.bytes - (rec.encodedLength + rec.indexBytes + ENTRY_OVERHEAD + 9));
  }

  /** Removes every event (NATS mode, when the stream it indexes was recreated). */
  async clear(): Promise<void> {
    try {
      await Promise.all([this.events, this.index, this.meta, this.ffDb].map((db) => db.clearAsync()));
    } catch (err) {
      throw repositoryError(this.path, 'clearing provenance', err);
    }
    this.cache.clear();
    this.times.clear();
    this.flowFiles.clear();
    this.state = { nextId: 1, bytes: 0 };
  }

  /** Counts for the benchmark and logs. */
  stats(): { bytes: number; nextEventId: number; segments: number; filterBytes: number } {
    return { bytes: this.state.bytes, nextEventId: this.state.nextId, ...this.flowFiles.stats() };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.evicting?.catch(() => {});
    await this.transaction(() => {
      this.flowFiles.saveCurrent();
      this.meta.put('state', this.state);
    }, 'closing');
    if (this.ownsRoot) await this.root.close();
  }
}

function definedOnly(options: LmdbProvenanceOptions): Partial<RepositoryRetention> {
  const out: Partial<RepositoryRetention> = {};
  if (options.maxAgeMs !== undefined) out.maxAgeMs = options.maxAgeMs;
  if (options.maxBytes !== undefined) out.maxBytes = options.maxBytes;
  return out;
}
