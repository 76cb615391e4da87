/**
 * Provenance on a JetStream stream (limits retention: max age and max bytes), so it survives a restart and
 * every engine of a flow sees the events of the others. A session's batch is one message (or a few) of up to
 * 1,000 events, by column (see provenance-codec); an event's id is derived from its message's stream
 * sequence (`seq * 1024 + index`). Queries and lineage are answered from an index on disk (the provenance
 * repository, LmdbProvenanceStore) that an ordered consumer fills from the stream; the index remembers the
 * last sequence it applied, so a restart on the same `indexDir` reads only what it missed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type ConsumerMessages,
  DeliverPolicy,
  DiscardPolicy,
  nanos,
  headers as natsHeaders,
  RetentionPolicy,
  StorageType,
} from 'nats';
import type { ProcessorLogger } from '../engine/contract';
import type {
  Lineage,
  NewProvenanceEvent,
  ProvenanceEvent,
  ProvenanceQuery,
  ProvenanceStore,
} from '../engine/provenance';
import type { ProvenanceBatch } from '../engine/provenance-batch';
import { LmdbProvenanceStore } from '../storage/provenance-repository/lmdb-provenance-store';
import type { RepositoryRetention } from '../storage/provenance-repository/retention';
import { PROVENANCE_STREAM, PROVENANCE_SUBJECTS, provenanceSubject } from './names';
import { type NatsLink, sleep } from './nats-link';
import { type DecodedProvenance, decodeProvenance, encodeBatchMessages, encodeEvents } from './provenance-codec';
import { withRetry } from './retry';
import { TXN_HEADER, type TxnLedger } from './txn-ledger';

export interface ProvenanceStreamOptions {
  /** Events older than this leave the stream, ms. Default 24 h. */
  maxAgeMs?: number;
  /** The stream keeps at most this many bytes, dropping the oldest. Default 1 GiB. */
  maxBytes?: number;
  /** @deprecated Ignored: queries are answered from the index on disk (see `indexDir`). */
  indexSize?: number;
  /** Directory of the query index (LMDB). Default: a temporary directory, removed on close. */
  indexDir?: string;
  /** Retention of the query index. Default: the stream's max age, and twice its max bytes. */
  indexRetention?: Partial<RepositoryRetention>;
  logger?: ProcessorLogger;
  /** Copies of the stream on a JetStream cluster. Default 1. */
  replicas?: number;
}

const EVENTS_PER_MESSAGE = 1000;

interface OwnChunk {
  seq: number;
  from: number;
  to: number;
  /** A part of one event too large for a message, as decoded from that message. */
  part?: DecodedProvenance;
}
const ID_STRIDE = 1024;

export function eventId(seq: number, index: number): number {
  return seq * ID_STRIDE + index;
}

const INDEX_MARKER = 'jetstream';

/** Temporary index directories: they go with the process even when no one closes the store. */
const tempDirs = new Set<string>();
function removeAtExit(dir: string): void {
  if (tempDirs.size === 0)
    process.once('exit', () => {
      for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
    });
  tempDirs.add(dir);
}

/** Which stream the index holds, and the last sequence it applied. */
interface IndexMarker {
  stream: string;
  seq: number;
}

export class JetStreamProvenanceStore implements ProvenanceStore {
  private readonly index: LmdbProvenanceStore;
  /** Highest stream sequence the ordered consumer has applied. */
  private consumedSeq = 0;
  /** Sequences this process inserted from its own publish acks before the consumer reached them. */
  private readonly own = new Set<number>();
  /** This process's messages of sessions not settled yet, by transaction (indexed here once committed). */
  private readonly awaiting = new Map<string, { batch: ProvenanceBatch; chunks: OwnChunk[] }>();
  private readonly ownPending = new Set<number>();
  /** Messages of this process the consumer went past before their session settled. */
  private readonly passed = new Set<number>();
  /** Messages of other processes' sessions the consumer waits on the decision of. */
  private readonly deferred = new Set<number>();
  private ledger: TxnLedger | undefined;
  private sub: ConsumerMessages | undefined;
  private streamId = '';
  /** A failed index write of the consumer, thrown by the next append so it is never lost. */
  private failure: Error | undefined;

  private constructor(
    private readonly link: NatsLink,
    private readonly options: ProvenanceStreamOptions,
    private readonly tempDir: string | undefined,
  ) {
    const maxAgeMs = options.maxAgeMs ?? 24 * 60 * 60 * 1000;
    const maxBytes = 2 * (options.maxBytes ?? 1024 ** 3);
    const dir = options.indexDir ?? tempDir!;
    this.index = LmdbProvenanceStore.open(dir, { maxAgeMs, maxBytes, ...options.indexRetention });
  }

  /** Creates (or updates) the stream and brings the index up to date with it before resolving. */
  static async open(link: NatsLink, options: ProvenanceStreamOptions = {}): Promise<JetStreamProvenanceStore> {
    const tempDir = options.indexDir ? undefined : mkdtempSync(path.join(tmpdir(), 'sluice-provenance-index-'));
    if (tempDir) removeAtExit(tempDir);
    let store: JetStreamProvenanceStore | undefined;
    try {
      store = new JetStreamProvenanceStore(link, options, tempDir);
      await store.start();
      return store;
    } catch (err) {
      if (store) await store.close().catch(() => {});
      else if (tempDir) rmSync(tempDir, { recursive: true, force: true });
      throw err;
    }
  }

  private async start(): Promise<void> {
    const { jsm, js } = this.link;
    const config = {
      name: PROVENANCE_STREAM,
      subjects: [PROVENANCE_SUBJECTS],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      num_replicas: this.options.replicas ?? 1,
      // Provenance is a window by design: the oldest events age out (never a queue's FlowFiles).
      discard: DiscardPolicy.Old,
      max_age: nanos(this.options.maxAgeMs ?? 24 * 60 * 60 * 1000),
      max_bytes: this.options.maxBytes ?? 1024 ** 3,
      description: 'Sluice provenance events',
    };
    let info = await jsm.streams.info(PROVENANCE_STREAM).catch(() => undefined);
    if (!info) info = await jsm.streams.add(config);
    else if (info.config.max_age !== config.max_age || info.config.max_bytes !== config.max_bytes)
      info = await jsm.streams.update(PROVENANCE_STREAM, { ...info.config, ...config });
    const last = info.state.last_seq;
    // The index remembers which stream it holds and how far it got; a recreated stream starts it afresh.
    this.streamId = info.created;
    const marker = this.index.marker<IndexMarker>(INDEX_MARKER);
    if (marker && (marker.stream !== this.streamId || marker.seq > last)) await this.index.clear();
    else if (marker) this.consumedSeq = marker.seq;
    const start = Math.max(info.state.first_seq, this.consumedSeq + 1);
    // From a sequence, never "all": the client always sends a start sequence, which the server refuses with "all".
    const consumer = await js.consumers.get(PROVENANCE_STREAM, {
      filterSubjects: PROVENANCE_SUBJECTS,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Math.max(1, start),
    });
    this.sub = await consumer.consume({
      callback: (m) => {
        try {
          this.receive(m.seq, m.data, m.headers?.get(TXN_HEADER), Math.floor(m.info.timestampNanos / 1e6));
        } catch (err) {
          this.options.logger?.warn({ seq: m.seq, err: (err as Error).message }, 'unreadable provenance message');
        }
      },
    });
    const deadline = Date.now() + 10_000;
    while (this.consumedSeq < last && Date.now() < deadline) await sleep(20);
    await this.index.transaction(() => {}); // after the consumer's writes so far: they are readable
  }

  private decode(seq: number, data: Uint8Array): ProvenanceEvent[] | ProvenanceBatch {
    const decoded = decodeProvenance(data);
    if ('batch' in decoded) return decoded.batch;
    return decoded.events.map((e, i) => ({ ...e, eventId: eventId(seq, i) }));
  }

  /** Sessions' events count once their session is committed (see txn-ledger); the ledger is set by the back end. */
  attachLedger(ledger: TxnLedger): void {
    this.ledger = ledger;
  }

  private receive(seq: number, data: Uint8Array, txn: string | undefined, storedAt: number): void {
    if (seq <= this.consumedSeq) return;
    this.consumedSeq = seq;
    if (this.own.delete(seq)) this.apply(seq, undefined);
    else if (!txn || !this.ledger) this.apply(seq, data);
    else if (this.ownPending.has(seq)) {
      this.passed.add(seq);
      this.apply(seq, undefined);
    } else {
      const known = this.ledger.decision(txn);
      if (known) this.apply(seq, known === 'c' ? data : undefined);
      else this.defer(seq, data, txn, storedAt);
    }
  }

  /** Indexes another process's message once its session is decided (and only if committed). */
  private defer(seq: number, data: Uint8Array, txn: string, storedAt: number): void {
    if (!this.ledger) return;
    this.deferred.add(seq);
    this.ledger.resolve(txn, storedAt).then(
      (decision) => {
        this.deferred.delete(seq);
        if (this.own.delete(seq)) return;
        if (this.ownPending.has(seq)) this.passed.add(seq);
        else if (decision === 'c') this.apply(seq, data);
      },
      () => this.deferred.delete(seq),
    );
  }

  /** The highest sequence below which everything is indexed (what a restart may skip). */
  private safeSeq(): number {
    let safe = this.consumedSeq;
    for (const s of this.deferred) safe = Math.min(safe, s - 1);
    for (const s of this.passed) safe = Math.min(safe, s - 1);
    return safe;
  }

  private apply(seq: number, data: Uint8Array | undefined): void {
    const decoded = data === undefined ? undefined : this.decode(seq, data);
    const marker: IndexMarker = { stream: this.streamId, seq: this.safeSeq() };
    this.index
      .transaction(() => {
        if (Array.isArray(decoded)) this.index.stageNumberedEvents(decoded);
        else if (decoded) this.index.stageWithIds(decoded, eventId(seq, 0));
        this.index.setMarker(INDEX_MARKER, marker);
      })
      .catch((err: Error) => {
        this.failure = err;
        this.options.logger?.error({ seq, err: err.message }, 'could not index a provenance message');
      });
  }

  private rethrow(): void {
    const failure = this.failure;
    if (failure) {
      this.failure = undefined;
      throw failure;
    }
  }

  /**
   * A session's events: published by column, then indexed here without building event objects; with a
   * transaction, indexed only once `settle` says it committed.
   */
  async appendBatch(batch: ProvenanceBatch, txn?: string): Promise<void> {
    this.rethrow();
    const chunks = await this.publishBatch(batch, txn);
    if (txn !== undefined) {
      this.awaiting.set(txn, { batch, chunks });
      for (const c of chunks) this.ownPending.add(c.seq);
      return;
    }
    // The consumer may have applied some messages already (it is fast): index only the others, once.
    const mine = chunks.filter((c) => c.seq > this.consumedSeq);
    for (const c of mine) this.own.add(c.seq);
    await this.index.transaction(() => this.stageOwn(batch, mine));
  }

  /**
   * Publishes a batch in messages of at most max_payload, all at once (under a transaction when given). An event
   * too large for one message (a FORK into 100,000 children) goes out in parts, each with a slice of its lists.
   */
  private async publishBatch(batch: ProvenanceBatch, txn?: string): Promise<OwnChunk[]> {
    const chunks = encodeBatchMessages(batch, this.link.maxPayload - 4096, EVENTS_PER_MESSAGE);
    const subject = provenanceSubject(batch.flowId);
    const seqs = await Promise.all(
      chunks.map((c, n) => this.publish(subject, c.data, txn === undefined ? undefined : `${txn}.p.${n}`, txn)),
    );
    return chunks.map((c, n) => ({
      seq: seqs[n]!,
      from: c.from,
      to: c.to,
      ...(c.part && { part: decodeProvenance(c.data) }),
    }));
  }

  /** Stages this process's own chunks in the index (a part from its own message: the event with its slice). */
  private stageOwn(batch: ProvenanceBatch, chunks: readonly OwnChunk[]): void {
    for (const c of chunks) {
      if (c.part && 'batch' in c.part) this.index.stageWithIds(c.part.batch, eventId(c.seq, 0));
      else this.index.stageWithIds(batch, eventId(c.seq, 0), c.from, c.to);
    }
  }

  /** The session of `txn` is decided: its events are indexed here when it committed. */
  settle(txn: string, committed: boolean): void {
    const a = this.awaiting.get(txn);
    if (!a) return;
    this.awaiting.delete(txn);
    const mine: OwnChunk[] = [];
    for (const c of a.chunks) {
      this.ownPending.delete(c.seq);
      const passed = this.passed.delete(c.seq);
      if (!committed) continue;
      mine.push(c);
      // Not reached by the consumer yet, or waiting there on the decision: it skips what is indexed here.
      if (!passed && (c.seq > this.consumedSeq || this.deferred.has(c.seq))) this.own.add(c.seq);
    }
    if (mine.length === 0) return;
    this.index
      .transaction(() => this.stageOwn(a.batch, mine))
      .catch((err: Error) => {
        this.failure = err;
        this.options.logger?.error({ txn, err: err.message }, 'could not index provenance');
      });
  }

  async append(events: readonly NewProvenanceEvent[]): Promise<void> {
    this.rethrow();
    const byFlow = new Map<string, NewProvenanceEvent[]>();
    for (const e of events) {
      const list = byFlow.get(e.flowId);
      if (list) list.push(e);
      else byFlow.set(e.flowId, [e]);
    }
    const mine: ProvenanceEvent[][] = [];
    for (const [flowId, list] of byFlow)
      for (let i = 0; i < list.length; ) {
        const chunk = this.chunk(list, i);
        i += chunk.events.length;
        const seq = await this.publish(provenanceSubject(flowId), chunk.data);
        chunk.events.forEach((e, n) => {
          (e as ProvenanceEvent).eventId = eventId(seq, n);
        });
        if (seq > this.consumedSeq) {
          this.own.add(seq);
          mine.push(chunk.events as ProvenanceEvent[]);
        }
      }
    await this.index.transaction(() => {
      for (const list of mine) this.index.stageNumberedEvents(list);
    });
  }

  /** Up to 1,000 events from `from` that fit one message. */
  private chunk(list: readonly NewProvenanceEvent[], from: number): { events: NewProvenanceEvent[]; data: Buffer } {
    const max = this.link.maxPayload - 4096;
    let n = Math.min(EVENTS_PER_MESSAGE, list.length - from);
    for (;;) {
      const events = list.slice(from, from + n);
      const data = encodeEvents(events);
      if (data.length <= max) return { events, data };
      if (n === 1) throw new Error(`a provenance event of FlowFile ${events[0]!.flowFileId} exceeds ${max} bytes`);
      n = Math.ceil(n / 2);
    }
  }

  /** Publishes one message; a retry after a timeout is not stored twice (same message id). */
  private async publish(subject: string, data: Buffer, msgID: string = randomUUID(), txn?: string): Promise<number> {
    let h: ReturnType<typeof natsHeaders> | undefined;
    if (txn !== undefined) {
      h = natsHeaders();
      h.set(TXN_HEADER, txn);
    }
    try {
      const ack = await withRetry(
        () => this.link.js.publish(subject, data, { msgID, timeout: 2000, ...(h && { headers: h }) }),
        {
          what: 'recording provenance on NATS',
          closed: () => this.link.nc.isClosed(),
          logger: this.options.logger,
        },
      );
      return ack.seq;
    } catch (err) {
      throw new Error(`could not record provenance on NATS: ${(err as Error).message}`);
    }
  }

  query(q: ProvenanceQuery): ProvenanceEvent[] {
    return this.index.query(q);
  }

  /** From the index, or read back from the stream when the index no longer holds it. */
  async get(id: number): Promise<ProvenanceEvent | undefined> {
    const hit = this.index.get(id);
    if (hit) return hit;
    const seq = Math.floor(id / ID_STRIDE);
    try {
      const sm = await this.link.jsm.streams.getMessage(PROVENANCE_STREAM, { seq });
      const decoded = this.decode(seq, sm.data);
      const i = id % ID_STRIDE;
      if (Array.isArray(decoded)) return decoded[i];
      return i < decoded.length ? decoded.event(i, id) : undefined;
    } catch {
      return undefined;
    }
  }

  lineage(flowFileId: string): Lineage {
    return this.index.lineage(flowFileId);
  }

  /** Applies the index's retention now (it also runs by itself); resolves to the events evicted. */
  evictIndex(): Promise<number> {
    return this.index.evict();
  }

  async close(): Promise<void> {
    try {
      await this.sub?.close();
      await this.index.close();
    } finally {
      if (this.tempDir) {
        rmSync(this.tempDir, { recursive: true, force: true });
        tempDirs.delete(this.tempDir);
      }
    }
  }
}
