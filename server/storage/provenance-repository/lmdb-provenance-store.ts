/**
 * The provenance repository on disk (LMDB), one design for a single node and for NATS mode (where it is the
 * query index fed by the stream). One record per committed batch (see event-codec). `stage()` writes only
 * that record, into the caller's LMDB transaction, so a session's provenance commits with its FlowFile
 * repository changes or not at all, and the commit path does no per-event writes. The indexes (FlowFile id,
 * component, flow, event type, time; see record-indexer) are built after commit by an indexer that runs every
 * few ms and indexes many records per transaction, persisting with them the key up to which every record is
 * indexed. Queries read the index up to that key and scan the few records beyond it, so they see every
 * committed event; a crash leaves records un-indexed (indexed at the next open), never events missing.
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
  type IndexableRecord,
  type RecordSource,
  StagedRecord,
  type StoredRecord,
} from './event-codec';
import { ENTRY_OVERHEAD, FlowFileIndex, type IndexWrite } from './flowfile-index';
import { indexBytesOf, RecordIndexer } from './record-indexer';
import { commitFailure, repositoryError } from './repository-error';
import { eventsNaming, type QueryableRepository, queryEvents } from './repository-query';
import { type RepositoryRetention, repositoryRetentionFromEnv } from './retention';
import { TimeIndex } from './time-index';

export interface LmdbProvenanceOptions extends Partial<RepositoryRetention> {
  /** How often retention runs, ms. Default 5 s. */
  evictIntervalMs?: number;
  /** FlowFile index entries per segment (see flowfile-index). Default 4096. */
  segmentEntries?: number;
  /** How long committed records wait for the indexer, ms (longer: fewer, larger index transactions). Default 10. */
  indexDelayMs?: number;
}

export interface LmdbProvenanceOpenOptions extends LmdbProvenanceOptions {
  /** Initial map size; LMDB grows it by itself when full. Default 64 GiB (address space, not disk). */
  mapSize?: number;
  /** Skip fsync (an index that can be rebuilt, as in NATS mode). Default false. */
  noSync?: boolean;
}

/** Index entries computed for committed records up to key `to`, to be written in one transaction. */
interface IndexChunk {
  to: number;
  more: boolean;
  bytes: number;
  writes: IndexWrite[];
}

interface State {
  nextId: number;
  bytes: number;
  /** Every record with a key up to this one is indexed. */
  indexed: number;
}

/** The layout of records and indexes (2: records by attribute shape, indexes built after commit). */
const FORMAT = 2;
const RECORD_CACHE = 256;
/** Longest a retention chunk holds the main thread, ms. */
const EVICT_BUDGET_MS = 5;
/** Longest an indexing chunk holds the main thread, ms. */
const INDEX_BUDGET_MS = 10;

/** Bytes a record takes, counted against the maximum size: the record, its key, its index entries. */
function recordBytes(rec: IndexableRecord): number {
  return rec.encodedLength + ENTRY_OVERHEAD + 9 + indexBytesOf(rec);
}

export class LmdbProvenanceStore implements ProvenanceStore {
  readonly path: string;
  private readonly events: Database<Buffer, number>;
  private readonly index: Database<unknown, Key>;
  private readonly meta: Database<unknown, Key>;
  private readonly ffDb: Database<Buffer, Buffer>;
  private readonly flowFiles: FlowFileIndex;
  private readonly times: TimeIndex;
  private readonly indexer: RecordIndexer;
  private readonly view: QueryableRepository;
  private readonly retention: RepositoryRetention;
  private readonly cache = new Map<number, StoredRecord>();
  private readonly timer: NodeJS.Timeout;
  private state: State;
  /** Records written and not yet indexed, by key, so the indexer and queries need not decode them. */
  private readonly staged = new Map<number, StagedRecord>();
  /** Every record up to this key is indexed by the index transactions issued so far (committed or not). */
  private indexedTo: number;
  /** ... by committed index transactions: queries read the index up to here and scan the records beyond. */
  private committedTo: number;
  private readonly indexDelayMs: number;
  private indexTimer: NodeJS.Timeout | undefined;
  private indexing: Promise<void> | undefined;
  /** A record was written since the indexer last started. */
  private dirty = false;
  /** Main-thread time spent building indexes, ms (for the benchmark). */
  private indexMs = 0;
  private evicting: Promise<number> | undefined;
  /** A failure of background indexing or retention, thrown by the next `appendBatch` or `append`. */
  private failure: Error | undefined;
  private closed = false;

  constructor(
    private readonly root: RootDatabase,
    options: LmdbProvenanceOptions = {},
    private readonly ownsRoot = false,
  ) {
    this.path = (root as unknown as { path?: string }).path ?? 'the LMDB environment';
    this.retention = { ...repositoryRetentionFromEnv(), ...definedOnly(options) };
    this.indexDelayMs = options.indexDelayMs ?? 10;
    try {
      this.events = root.openDB<Buffer, number>('prov-events', { encoding: 'binary' });
      this.index = root.openDB('prov-index', { encoding: 'msgpack' });
      this.meta = root.openDB('prov-meta', { encoding: 'msgpack' });
      this.ffDb = root.openDB<Buffer, Buffer>('prov-flowfiles', { encoding: 'binary', keyEncoding: 'binary' });
      this.checkFormat();
      this.flowFiles = new FlowFileIndex(this.ffDb, this.meta, options.segmentEntries ?? 4096);
    } catch (err) {
      throw repositoryError(this.path, 'opening the provenance databases', err);
    }
    this.times = new TimeIndex(this.index);
    this.indexer = new RecordIndexer(this.index, this.times, this.flowFiles);
    const store = this;
    this.view = {
      get indexedTo() {
        return store.committedTo;
      },
      events: this.events,
      index: this.index,
      times: this.times,
      flowFiles: this.flowFiles,
      staged: (key) => this.staged.get(key),
      record: (key, data) => this.record(key, data),
    };
    const saved = this.meta.get('state') as State | undefined;
    this.state = { nextId: saved?.nextId ?? 1, bytes: saved?.bytes ?? 0, indexed: saved?.indexed ?? 0 };
    this.indexedTo = this.committedTo = this.state.indexed;
    const last = this.firstRecord(true);
    if (last && last.lastId >= this.state.nextId) this.state.nextId = last.lastId + 1;
    // Records a crash left un-indexed: indexed now, in the background (queries scan them meanwhile).
    if (last && last.firstId > this.indexedTo)
      this.flushIndex().catch((err: Error) => {
        this.failure = err;
      });
    this.timer = setInterval(() => void this.evict(), options.evictIntervalMs ?? 5000);
    this.timer.unref();
  }

  /** Refuses records of another format; an empty repository (indexes of another format at most) is reset. */
  private checkFormat(): void {
    const format = this.meta.get('format');
    if (format === FORMAT) return;
    if ([...this.events.getKeys({ limit: 1 })].length > 0)
      throw new Error(
        `its provenance is in format ${String(format ?? 1)} and this build reads format ${FORMAT}: ` +
          'move the directory aside (or open it with the build that wrote it)',
      );
    for (const db of [this.index, this.ffDb, this.meta]) db.clearSync();
    this.meta.putSync('format', FORMAT);
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

  /** Bytes of records and index entries held, as counted when indexed. */
  get bytes(): number {
    return this.state.bytes;
  }

  /** Batches encoded by `prepare`, waiting for their `stage`. */
  private readonly prepared = new WeakMap<ProvenanceBatch, ReturnType<typeof encodeRecord>>();

  /**
   * Writes a committed session's events in the current LMDB transaction: call it inside the caller's
   * `root.transaction(() => ...)`. Event ids are assigned here, in commit order. One write, the batch's
   * record; it is encoded first, so nothing can throw once it is written. The stage methods never throw a
   * background failure either: LMDB keeps the writes a callback issued before throwing, so a throw here would
   * commit half of the caller's transaction. Background runs retry on their own (and in the shared
   * environment a failing disk fails the caller's commit too); `appendBatch` and `append` report them.
   */
  stage(batch: ProvenanceBatch): void {
    if (batch.length === 0) return;
    const firstId = this.state.nextId;
    const encoded = this.prepared.get(batch);
    this.prepared.delete(batch);
    this.write(batchSource(batch), firstId, encoded);
    this.state.nextId = firstId + batch.length;
  }

  /**
   * Encodes a batch ahead of `stage` (which then only writes it): the caller runs this before its transaction,
   * so the encoding does not happen while LMDB's write lock is held.
   */
  prepare(batch: ProvenanceBatch): void {
    if (batch.length > 0) this.prepared.set(batch, encodeRecord(batchSource(batch)));
  }

  /** Writes events `from`..`to` of a batch numbered elsewhere: `firstId`, `firstId + 1`, ... (NATS mode). */
  stageWithIds(batch: ProvenanceBatch, firstId: number, from = 0, to = batch.length): void {
    if (to <= from || this.events.doesExist(firstId)) return;
    this.write(batchSource(batch, from, to), firstId);
    this.state.nextId = Math.max(this.state.nextId, firstId + (to - from));
  }

  /** Writes loose events, numbering them (and setting `eventId` on each, as the memory store does). */
  stageEvents(events: readonly NewProvenanceEvent[]): void {
    for (const [from, to] of eventRuns(events)) {
      const firstId = this.state.nextId;
      this.state.nextId += to - from;
      for (let i = from; i < to; i++) (events[i] as ProvenanceEvent).eventId = firstId + i - from;
      this.write(eventsSource(events, from, to), firstId);
    }
  }

  /** Writes events numbered elsewhere (NATS mode); runs of consecutive ids become one record each. */
  stageNumberedEvents(events: readonly ProvenanceEvent[]): void {
    for (const [from, to] of eventRuns(events, (e) => e.eventId)) {
      const firstId = events[from]!.eventId;
      if (this.events.doesExist(firstId)) continue;
      this.state.nextId = Math.max(this.state.nextId, events[to - 1]!.eventId + 1);
      this.write(eventsSource(events, from, to), firstId);
    }
  }

  /** Writes the batch and indexes it in one transaction (`bytes` and the index include it when this resolves). */
  appendBatch(batch: ProvenanceBatch): Promise<void> {
    return this.writeIndexed(() => this.stage(batch));
  }

  append(events: readonly NewProvenanceEvent[]): Promise<void> {
    return this.writeIndexed(() => this.stageEvents(events));
  }

  private async writeIndexed(stage: () => void): Promise<void> {
    this.rethrow();
    const chunk = await this.transaction(() => {
      stage();
      const planned = this.planChunk(Number.POSITIVE_INFINITY);
      if (planned) this.applyChunk(planned);
      return planned;
    }, 'writing provenance');
    if (chunk) this.indexed(chunk.to);
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

  private write(source: RecordSource, firstId: number, encoded = encodeRecord(source)): void {
    const { data, typeNames } = encoded;
    const rec = new StagedRecord(source, typeNames, data.length);
    this.events.put(firstId, data);
    if (firstId <= this.indexedTo) {
      // Behind the indexer (NATS mode: a message applied after a later one was): indexed at once.
      const writes: IndexWrite[] = [];
      this.indexer.add(rec, firstId, writes);
      this.indexer.flush(writes);
      RecordIndexer.apply(writes);
      this.state.bytes += recordBytes(rec);
      this.meta.put('state', this.state);
      return;
    }
    this.staged.set(firstId, rec);
    this.dirty = true;
    this.armIndexer();
  }

  private armIndexer(): void {
    if (this.indexTimer || this.indexing || this.closed) return;
    this.indexTimer = setTimeout(() => {
      this.indexTimer = undefined;
      // No one awaits this run: its failure is kept for the next append, and the next write retries.
      this.flushIndex().catch((err: Error) => {
        this.failure = err;
      });
    }, this.indexDelayMs);
    this.indexTimer.unref();
  }

  /**
   * Indexes every record committed before the call that is not indexed yet, in transactions that hold the
   * main thread a few ms each; resolves when they are committed. Also runs by itself a few ms after a write.
   */
  async flushIndex(): Promise<void> {
    // A run in flight may have started before the records asked for were written: the next run covers them.
    while (this.indexing) await this.indexing.catch(() => {});
    clearTimeout(this.indexTimer);
    this.indexTimer = undefined;
    this.indexing = this.indexRun();
    return this.indexing;
  }

  private async indexRun(): Promise<void> {
    try {
      for (let more = true; more; ) {
        this.dirty = false;
        // Planned inside the transaction: it sees exactly the records committed before it.
        const chunk = await this.transaction(() => {
          const planned = this.planChunk(INDEX_BUDGET_MS);
          if (planned) this.applyChunk(planned);
          return planned;
        }, 'indexing provenance');
        if (!chunk) break;
        more = chunk.more;
        this.indexed(chunk.to);
      }
    } catch (err) {
      // Its writes were rolled back: the next run starts again from what is committed.
      this.indexedTo = this.committedTo;
      throw err;
    } finally {
      this.indexing = undefined;
      if (this.dirty) this.armIndexer();
    }
  }

  /** An index transaction up to `to` committed: queries read the index that far. */
  private indexed(to: number): void {
    this.committedTo = Math.max(this.committedTo, to);
    for (const key of this.staged.keys()) if (key <= to) this.staged.delete(key);
  }

  /**
   * Computes the index entries of the records beyond `indexedTo`, in key order, for up to `budgetMs`;
   * undefined when there are none.
   */
  private planChunk(budgetMs: number): IndexChunk | undefined {
    const started = performance.now();
    const writes: IndexWrite[] = [];
    let to = this.indexedTo;
    let bytes = 0;
    let more = false;
    for (const key of this.events.getKeys({ start: this.indexedTo + 0.5 })) {
      const rec = this.staged.get(key) ?? this.record(key);
      if (rec) {
        this.indexer.add(rec, key, writes);
        bytes += recordBytes(rec);
      }
      to = key;
      if (performance.now() - started > budgetMs) {
        more = true;
        break;
      }
    }
    if (to === this.indexedTo) return undefined;
    this.indexer.flush(writes);
    // From here a record written at or below `to` (NATS mode, out of order) is indexed as it is written.
    this.indexedTo = to;
    this.indexMs += performance.now() - started;
    return { to, more, bytes, writes };
  }

  /** Issues a planned chunk's writes and the watermark, in the current transaction. */
  private applyChunk(chunk: IndexChunk): void {
    const started = performance.now();
    RecordIndexer.apply(chunk.writes);
    this.state.bytes += chunk.bytes;
    this.state.indexed = Math.max(this.state.indexed, chunk.to);
    this.meta.put('state', this.state);
    this.indexMs += performance.now() - started;
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
    return queryEvents(this.view, q);
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
    const walk = { records: new Map(), skip: (_eventId: number) => false };
    return buildLineage(
      flowFileId,
      (id) => eventsNaming(this.view, id, walk),
      (seen) => {
        walk.skip = seen;
      },
    );
  }

  /**
   * Applies retention now: evicts whole batches, oldest first, while they are older than the maximum age or
   * the bytes held exceed the maximum size, in short transactions (a few ms each) so the event loop never
   * stalls. Only indexed batches are evicted (indexing comes first). Resolves to the number of events
   * evicted. Also runs by itself every `evictIntervalMs`.
   */
  evict(): Promise<number> {
    if (this.evicting) return this.evicting;
    const run = async () => {
      let total = 0;
      try {
        await this.flushIndex();
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
    // A timer's run has no one to await it; its failure is kept and thrown by the next append.
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
        if ((rec.time >= cutoff && this.state.bytes <= this.retention.maxBytes) || key > this.indexedTo) {
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
    this.indexer.remove(rec, key);
    this.events.remove(key);
    this.cache.delete(key);
    this.state.bytes = Math.max(0, this.state.bytes - recordBytes(rec));
  }

  /** Removes every event (NATS mode, when the stream it indexes was recreated). */
  async clear(): Promise<void> {
    await this.indexing?.catch(() => {});
    try {
      await Promise.all([this.events, this.index, this.ffDb].map((db) => db.clearAsync()));
      await this.transaction(() => {
        for (const key of this.meta.getKeys({})) if (key !== 'format') this.meta.remove(key);
      }, 'clearing provenance');
    } catch (err) {
      throw repositoryError(this.path, 'clearing provenance', err);
    }
    this.cache.clear();
    this.times.clear();
    this.flowFiles.clear();
    this.staged.clear();
    this.indexedTo = this.committedTo = 0;
    this.state = { nextId: 1, bytes: 0, indexed: 0 };
  }

  /** Counts for the benchmark and logs. */
  stats(): {
    bytes: number;
    nextEventId: number;
    indexedTo: number;
    indexMs: number;
    segments: number;
    filterBytes: number;
  } {
    return {
      bytes: this.state.bytes,
      nextEventId: this.state.nextId,
      indexedTo: this.committedTo,
      indexMs: this.indexMs,
      ...this.flowFiles.stats(),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.indexTimer);
    await this.evicting?.catch(() => {});
    await this.indexing?.catch(() => {});
    await this.transaction(() => {
      const chunk = this.planChunk(Number.POSITIVE_INFINITY);
      if (chunk) this.applyChunk(chunk);
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
