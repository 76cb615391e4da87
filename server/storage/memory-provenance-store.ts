import type {
  Lineage,
  NewProvenanceEvent,
  ProvenanceEvent,
  ProvenanceEventType,
  ProvenanceQuery,
  ProvenanceStore,
} from '../engine/provenance';
import type { ProvenanceBatch } from '../engine/provenance-batch';
import { parseDuration } from '../engine/units';
import { getOrInsert } from '../util/maps';
import { buildLineage } from './lineage';

export interface ProvenanceRetention {
  /** Oldest events are evicted beyond this count. */
  maxEvents: number;
  /** Events older than this (ms) are evicted. */
  maxAgeMs: number;
}

export const DEFAULT_RETENTION: ProvenanceRetention = { maxEvents: 100_000, maxAgeMs: 24 * 60 * 60 * 1000 };

/**
 * Retention from the environment: SLUICE_PROVENANCE_MAX_EVENTS (a count) and SLUICE_PROVENANCE_MAX_AGE
 * (a duration such as "1h"), each falling back to the default.
 */
export function retentionFromEnv(env: NodeJS.ProcessEnv = process.env): ProvenanceRetention {
  const maxEvents = Number(env.SLUICE_PROVENANCE_MAX_EVENTS);
  const maxAge = env.SLUICE_PROVENANCE_MAX_AGE;
  return {
    maxEvents: Number.isInteger(maxEvents) && maxEvents > 0 ? maxEvents : DEFAULT_RETENTION.maxEvents,
    maxAgeMs: maxAge ? parseDuration(maxAge) : DEFAULT_RETENTION.maxAgeMs,
  };
}

/** Events stored together: a committed session's batch, or a list of events. `start` moves as old ones go. */
interface Chunk {
  start: number;
  readonly end: number;
  /** The newest event's time. */
  readonly newest: number;
  /** Set when every event of the chunk shares it (a session's batch): whole chunks are skipped by filters. */
  readonly flowId?: string;
  readonly componentId?: string;
  id(i: number): number;
  type(i: number): ProvenanceEventType;
  time(i: number): number;
  flowFileId(i: number): string;
  /** The FlowFile ids event `i` names: its own, parents and children. */
  mentioned(i: number): readonly string[];
  event(i: number): ProvenanceEvent;
}

function batchChunk(batch: ProvenanceBatch, firstId: number, idOf = (i: number) => firstId + i): Chunk {
  return {
    start: 0,
    end: batch.length,
    newest: batch.time,
    flowId: batch.flowId,
    componentId: batch.componentId,
    id: idOf,
    type: (i) => batch.types[i]!,
    time: () => batch.time,
    flowFileId: (i) => batch.flowFiles[i]!.id,
    mentioned: (i) => batch.mentioned(i),
    event: (i) => batch.event(i, idOf(i)),
  };
}

function eventsChunk(events: readonly ProvenanceEvent[]): Chunk {
  let newest = 0;
  for (const e of events) newest = Math.max(newest, e.time);
  return {
    start: 0,
    end: events.length,
    newest,
    id: (i) => events[i]!.eventId,
    type: (i) => events[i]!.type,
    time: (i) => events[i]!.time,
    flowFileId: (i) => events[i]!.flowFileId,
    mentioned: (i) => {
      const e = events[i]!;
      return e.parentIds.length + e.childIds.length === 0
        ? [e.flowFileId]
        : [e.flowFileId, ...e.parentIds, ...e.childIds];
    },
    event: (i) => events[i]!,
  };
}

/**
 * In-process provenance, bounded by count and age so a long run does not grow without bound. Sessions append
 * whole batches (stored by column, see ProvenanceBatch); queries scan newest first and build event objects only
 * for what they return.
 */
export class MemoryProvenanceStore implements ProvenanceStore {
  private chunks: Chunk[] = [];
  private head = 0;
  private count = 0;
  private nextId = 1;
  private readonly retention: ProvenanceRetention;

  constructor(retention: Partial<ProvenanceRetention> = {}) {
    this.retention = { ...retentionFromEnv(), ...retention };
  }

  get size(): number {
    return this.count;
  }

  appendBatch(batch: ProvenanceBatch): void {
    if (batch.length === 0) return;
    this.add(batchChunk(batch, this.nextId));
    this.nextId += batch.length;
  }

  append(events: readonly NewProvenanceEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) (e as ProvenanceEvent).eventId = this.nextId++;
    this.add(eventsChunk(events as ProvenanceEvent[]));
  }

  /** Adds events numbered elsewhere (the JetStream store numbers them by stream position). */
  insert(events: readonly ProvenanceEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) if (e.eventId >= this.nextId) this.nextId = e.eventId + 1;
    this.add(eventsChunk(events));
  }

  /** Adds a batch numbered elsewhere: event `i` gets id `idOf(i)`, increasing with `i` (the JetStream store). */
  insertBatch(batch: ProvenanceBatch, idOf: (i: number) => number): void {
    if (batch.length === 0) return;
    const last = idOf(batch.length - 1);
    if (last >= this.nextId) this.nextId = last + 1;
    this.add(batchChunk(batch, 0, idOf));
  }

  private add(chunk: Chunk): void {
    this.chunks.push(chunk);
    this.count += chunk.end;
    this.evict(Date.now());
  }

  private evict(now: number): void {
    const cutoff = now - this.retention.maxAgeMs;
    while (this.head < this.chunks.length) {
      const oldest = this.chunks[this.head]!;
      const excess = this.count - this.retention.maxEvents;
      if (oldest.newest < cutoff || excess >= oldest.end - oldest.start) {
        this.count -= oldest.end - oldest.start;
        this.chunks[this.head++] = undefined as unknown as Chunk;
        continue;
      }
      if (excess > 0) {
        oldest.start += excess;
        this.count -= excess;
      }
      // Events inside one chunk can differ in time only for event lists; drop their old head too.
      while (oldest.start < oldest.end && oldest.time(oldest.start) < cutoff) {
        oldest.start++;
        this.count--;
      }
      break;
    }
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** [chunk, index] pairs, newest first. */
  private *newestFirst(): Generator<[Chunk, number]> {
    for (let c = this.chunks.length - 1; c >= this.head; c--) {
      const chunk = this.chunks[c]!;
      for (let i = chunk.end - 1; i >= chunk.start; i--) yield [chunk, i];
    }
  }

  query(q: ProvenanceQuery): ProvenanceEvent[] {
    this.evict(Date.now());
    const limit = q.limit ?? 100;
    const out: ProvenanceEvent[] = [];
    for (let c = this.chunks.length - 1; c >= this.head && out.length < limit; c--) {
      const chunk = this.chunks[c]!;
      if (q.flowId !== undefined && chunk.flowId !== undefined && chunk.flowId !== q.flowId) continue;
      if (q.componentId !== undefined && chunk.componentId !== undefined && chunk.componentId !== q.componentId)
        continue;
      for (let i = chunk.end - 1; i >= chunk.start && out.length < limit; i--) {
        if (q.type !== undefined && chunk.type(i) !== q.type) continue;
        if (q.flowFileId !== undefined && chunk.flowFileId(i) !== q.flowFileId) continue;
        const time = chunk.time(i);
        if (q.from !== undefined && time < q.from) continue;
        if (q.to !== undefined && time > q.to) continue;
        const e = chunk.event(i);
        if (q.flowId !== undefined && e.flowId !== q.flowId) continue;
        if (q.componentId !== undefined && e.componentId !== q.componentId) continue;
        out.push(e);
      }
    }
    return out;
  }

  get(eventId: number): ProvenanceEvent | undefined {
    for (const [chunk, i] of this.newestFirst()) if (chunk.id(i) === eventId) return chunk.event(i);
    return undefined;
  }

  /** One pass indexes which events name which FlowFile; events are built only for the lineage found. */
  lineage(flowFileId: string): Lineage {
    const index = new Map<string, [Chunk, number][]>();
    for (const [chunk, i] of this.newestFirst())
      for (const id of chunk.mentioned(i)) getOrInsert(index, id, () => []).push([chunk, i]);
    return buildLineage(flowFileId, (id) => (index.get(id) ?? []).map(([chunk, i]) => chunk.event(i)));
  }
}
