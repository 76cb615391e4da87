import type {
  Lineage,
  NewProvenanceEvent,
  ProvenanceEvent,
  ProvenanceQuery,
  ProvenanceStore,
} from '../engine/provenance';
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
 * In-process provenance: a ring buffer bounded by count and age, so a long run does not grow without bound.
 * Appends are O(1) per event; queries scan, newest first.
 */
export class MemoryProvenanceStore implements ProvenanceStore {
  private readonly ring: (ProvenanceEvent | undefined)[];
  private head = 0; // index of the oldest event
  private length = 0;
  private nextId = 1;
  private readonly retention: ProvenanceRetention;

  constructor(retention: Partial<ProvenanceRetention> = {}) {
    this.retention = { ...DEFAULT_RETENTION, ...retention };
    this.ring = new Array(this.retention.maxEvents);
  }

  get size(): number {
    return this.length;
  }

  append(events: readonly NewProvenanceEvent[]): void {
    for (const e of events) {
      const event = e as ProvenanceEvent;
      event.eventId = this.nextId++;
      this.push(event);
    }
    this.evictOld(Date.now());
  }

  /** Adds events numbered elsewhere (the JetStream store numbers them by stream position). */
  insert(events: readonly ProvenanceEvent[]): void {
    for (const e of events) {
      if (e.eventId >= this.nextId) this.nextId = e.eventId + 1;
      this.push(e);
    }
    this.evictOld(Date.now());
  }

  private push(event: ProvenanceEvent): void {
    const cap = this.ring.length;
    if (this.length < cap) {
      this.ring[(this.head + this.length) % cap] = event;
      this.length++;
    } else {
      this.ring[this.head] = event;
      this.head = (this.head + 1) % cap;
    }
  }

  private evictOld(now: number): void {
    const cutoff = now - this.retention.maxAgeMs;
    const cap = this.ring.length;
    while (this.length > 0 && this.ring[this.head]!.time < cutoff) {
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % cap;
      this.length--;
    }
  }

  /** Newest first. */
  private *newestFirst(): Generator<ProvenanceEvent> {
    const cap = this.ring.length;
    for (let i = this.length - 1; i >= 0; i--) yield this.ring[(this.head + i) % cap]!;
  }

  query(q: ProvenanceQuery): ProvenanceEvent[] {
    this.evictOld(Date.now());
    const limit = q.limit ?? 100;
    const out: ProvenanceEvent[] = [];
    for (const e of this.newestFirst()) {
      if (out.length >= limit) break;
      if (q.flowId !== undefined && e.flowId !== q.flowId) continue;
      if (q.flowFileId !== undefined && e.flowFileId !== q.flowFileId) continue;
      if (q.componentId !== undefined && e.componentId !== q.componentId) continue;
      if (q.type !== undefined && e.type !== q.type) continue;
      if (q.from !== undefined && e.time < q.from) continue;
      if (q.to !== undefined && e.time > q.to) continue;
      out.push(e);
    }
    return out;
  }

  get(eventId: number): ProvenanceEvent | undefined {
    for (const e of this.newestFirst()) if (e.eventId === eventId) return e;
    return undefined;
  }

  lineage(flowFileId: string): Lineage {
    const byFlowFile = new Map<string, ProvenanceEvent[]>();
    const related = new Map<string, ProvenanceEvent[]>();
    for (const e of this.newestFirst()) {
      getOrInsert(byFlowFile, e.flowFileId, () => []).push(e);
      for (const id of e.parentIds) getOrInsert(related, id, () => []).push(e);
      for (const id of e.childIds) getOrInsert(related, id, () => []).push(e);
    }
    return buildLineage(flowFileId, (id) => [...(byFlowFile.get(id) ?? []), ...(related.get(id) ?? [])]);
  }
}
