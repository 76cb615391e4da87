/**
 * Provenance on a JetStream stream (limits retention: max age and max bytes), so it survives a restart and
 * every engine of a flow sees the events of the others. A session's batch is one message (or a few) of up to
 * 1,000 events, by column (see provenance-codec); an event's id is derived from its message's stream
 * sequence (`seq * 1024 + index`). Queries and
 * lineage are answered from an in-memory index that an ordered consumer fills from the stream (the recent
 * part of it at start), so they stay synchronous and fast.
 */
import { randomUUID } from 'node:crypto';
import { type ConsumerMessages, DeliverPolicy, DiscardPolicy, nanos, RetentionPolicy, StorageType } from 'nats';
import type { ProcessorLogger } from '../engine/contract';
import type {
  Lineage,
  NewProvenanceEvent,
  ProvenanceEvent,
  ProvenanceQuery,
  ProvenanceStore,
} from '../engine/provenance';
import type { ProvenanceBatch } from '../engine/provenance-batch';
import { PROVENANCE_STREAM, PROVENANCE_SUBJECTS, provenanceSubject } from '../nats/names';
import { type NatsLink, sleep } from '../nats/nats-link';
import { decodeProvenance, encodeBatchSlice, encodeEvents } from '../nats/provenance-codec';
import { MemoryProvenanceStore } from './memory-provenance-store';

export interface ProvenanceStreamOptions {
  /** Events older than this leave the stream, ms. Default 24 h. */
  maxAgeMs?: number;
  /** The stream keeps at most this many bytes, dropping the oldest. Default 1 GiB. */
  maxBytes?: number;
  /** Events kept in memory for queries. Default 100,000. */
  indexSize?: number;
  logger?: ProcessorLogger;
  /** Copies of the stream on a JetStream cluster. Default 1. */
  replicas?: number;
}

const EVENTS_PER_MESSAGE = 1000;
const ID_STRIDE = 1024;

export function eventId(seq: number, index: number): number {
  return seq * ID_STRIDE + index;
}

export class JetStreamProvenanceStore implements ProvenanceStore {
  private readonly index: MemoryProvenanceStore;
  /** Highest stream sequence the ordered consumer has applied. */
  private consumedSeq = 0;
  /** Sequences this process inserted from its own publish acks before the consumer reached them. */
  private readonly own = new Set<number>();
  private sub: ConsumerMessages | undefined;

  private constructor(
    private readonly link: NatsLink,
    private readonly options: ProvenanceStreamOptions,
  ) {
    this.index = new MemoryProvenanceStore({ maxEvents: options.indexSize ?? 100_000 });
  }

  /** Creates (or updates) the stream and loads its recent events before resolving. */
  static async open(link: NatsLink, options: ProvenanceStreamOptions = {}): Promise<JetStreamProvenanceStore> {
    const store = new JetStreamProvenanceStore(link, options);
    await store.start();
    return store;
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
    // Enough messages to fill the index, assuming messages are at least a tenth full.
    const start = Math.max(
      info.state.first_seq,
      last - Math.ceil(((this.options.indexSize ?? 100_000) / EVENTS_PER_MESSAGE) * 10),
    );
    // From a sequence, never "all": the client always sends a start sequence, which the server refuses with "all".
    const consumer = await js.consumers.get(PROVENANCE_STREAM, {
      filterSubjects: PROVENANCE_SUBJECTS,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Math.max(1, start),
    });
    this.sub = await consumer.consume({
      callback: (m) => {
        try {
          this.apply(m.seq, m.data);
        } catch (err) {
          this.options.logger?.warn({ seq: m.seq, err: (err as Error).message }, 'unreadable provenance message');
        }
      },
    });
    const deadline = Date.now() + 10_000;
    while (this.consumedSeq < last && Date.now() < deadline) await sleep(20);
  }

  private decode(seq: number, data: Uint8Array): ProvenanceEvent[] | ProvenanceBatch {
    const decoded = decodeProvenance(data);
    if ('batch' in decoded) return decoded.batch;
    return decoded.events.map((e, i) => ({ ...e, eventId: eventId(seq, i) }));
  }

  private apply(seq: number, data: Uint8Array): void {
    if (seq <= this.consumedSeq) return;
    this.consumedSeq = seq;
    if (this.own.delete(seq)) return;
    const decoded = this.decode(seq, data);
    if (Array.isArray(decoded)) this.index.insert(decoded);
    else this.index.insertBatch(decoded, (i) => eventId(seq, i));
  }

  /** A committed session's events: published by column, then indexed here without building event objects. */
  async appendBatch(batch: ProvenanceBatch): Promise<void> {
    const max = this.link.maxPayload - 4096;
    const starts: number[] = [];
    const seqs: number[] = [];
    const datas: Buffer[] = [];
    for (let from = 0; from < batch.length; ) {
      let to = Math.min(batch.length, from + EVENTS_PER_MESSAGE);
      let data = encodeBatchSlice(batch, from, to);
      while (data.length > max) {
        if (to - from === 1)
          throw new Error(`a provenance event of FlowFile ${batch.flowFiles[from]!.id} exceeds ${max} bytes`);
        to = from + Math.ceil((to - from) / 2);
        data = encodeBatchSlice(batch, from, to);
      }
      starts.push(from);
      datas.push(data);
      seqs.push(await this.publish(provenanceSubject(batch.flowId), data));
      from = to;
    }
    // The consumer may have applied some messages already (it is fast): index only the others, once.
    if (seqs.some((seq) => seq <= this.consumedSeq)) {
      seqs.forEach((seq, m) => {
        if (seq <= this.consumedSeq) return;
        this.own.add(seq);
        const decoded = this.decode(seq, datas[m]!);
        if (!Array.isArray(decoded)) this.index.insertBatch(decoded, (i) => eventId(seq, i));
      });
      return;
    }
    for (const seq of seqs) this.own.add(seq);
    this.index.insertBatch(batch, (i) => {
      let m = starts.length - 1;
      while (starts[m]! > i) m--;
      return eventId(seqs[m]!, i - starts[m]!);
    });
  }

  async append(events: readonly NewProvenanceEvent[]): Promise<void> {
    const byFlow = new Map<string, NewProvenanceEvent[]>();
    for (const e of events) {
      const list = byFlow.get(e.flowId);
      if (list) list.push(e);
      else byFlow.set(e.flowId, [e]);
    }
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
          this.index.insert(chunk.events as ProvenanceEvent[]);
        }
      }
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

  private async publish(subject: string, data: Buffer): Promise<number> {
    const deadline = Date.now() + 60_000;
    const msgID = randomUUID(); // a retry after a timeout is not stored twice
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.link.js.publish(subject, data, { msgID, timeout: 2000 })).seq;
      } catch (err) {
        if (
          (err as { api_error?: unknown }).api_error !== undefined ||
          this.link.nc.isClosed() ||
          Date.now() > deadline
        )
          throw new Error(`could not record provenance on NATS: ${(err as Error).message}`);
        await sleep(Math.min(2000, 100 * attempt));
      }
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

  async close(): Promise<void> {
    await this.sub?.close();
  }
}
