/**
 * The wire format of provenance messages (msgpackr). Version 2 carries a slice of one session's batch by
 * column: time, flow and component once, then per event its type, FlowFile id, attributes, size, lineage
 * start and relationship, and parents/children/details/URI only for the events that have them. Version 1 is a
 * plain list of events (queue EXPIRE/DROP events and other `append` calls).
 */
import { Packr } from 'msgpackr';
import type { FlowFile } from '../engine/flowfile';
import type { NewProvenanceEvent, ProvenanceEventType } from '../engine/provenance';
import { ProvenanceBatch } from '../engine/provenance-batch';

const packr = new Packr({ useRecords: true, mapsAsObjects: true });
const EMPTY = Buffer.alloc(0);

type Extra = [number, readonly string[] | null, readonly string[] | null, string | null, string | null];

interface BatchDoc {
  v: 2;
  t: number;
  f: string;
  c: string;
  k: string;
  types: ProvenanceEventType[];
  ids: string[];
  attrs: Record<string, string>[];
  sizes: number[];
  lineage: number[];
  rels: (string | null)[];
  x: Extra[];
}

export function encodeEvents(events: readonly NewProvenanceEvent[]): Buffer {
  return packr.pack({ v: 1, e: events });
}

/** Events `from` to `to` (exclusive) of a batch, as one message. */
export function encodeBatchSlice(batch: ProvenanceBatch, from: number, to: number): Buffer {
  const doc: BatchDoc = {
    v: 2,
    t: batch.time,
    f: batch.flowId,
    c: batch.componentId,
    k: batch.componentType,
    types: batch.types.slice(from, to),
    ids: [],
    attrs: [],
    sizes: [],
    lineage: [],
    rels: [],
    x: [],
  };
  for (let i = from; i < to; i++) {
    const ff = batch.flowFiles[i]!;
    doc.ids.push(ff.id);
    doc.attrs.push(ff.attributes as Record<string, string>);
    doc.sizes.push(ff.size);
    doc.lineage.push(ff.lineageStartDate);
    doc.rels.push(batch.relationships[i] ?? null);
    // Only what the session recorded; what the batch derives (a DROP's details) it derives again when read.
    const e = batch.extra(i);
    if (e)
      doc.x.push([
        i - from,
        e.parentIds?.length ? e.parentIds : null,
        e.childIds?.length ? e.childIds : null,
        e.details ?? null,
        e.transitUri ?? null,
      ]);
  }
  return packr.pack(doc);
}

export type DecodedProvenance = { events: NewProvenanceEvent[] } | { batch: ProvenanceBatch };

export function decodeProvenance(data: Uint8Array): DecodedProvenance {
  const doc = packr.unpack(data) as Omit<Partial<BatchDoc>, 'v'> & { v?: number; e?: NewProvenanceEvent[] };
  if (doc?.v === 1 && Array.isArray(doc.e)) return { events: doc.e };
  if (doc?.v !== 2 || !Array.isArray(doc.types)) throw new Error('not a Sluice provenance message');
  const batch = new ProvenanceBatch(doc.t!, doc.f!, doc.c!, doc.k!);
  const extras = new Map<number, Extra>();
  for (const x of doc.x ?? []) extras.set(x[0], x);
  for (let i = 0; i < doc.types.length; i++) {
    const ff: FlowFile = {
      id: doc.ids![i]!,
      attributes: doc.attrs![i]!,
      content: EMPTY,
      size: doc.sizes![i]!,
      entryDate: 0,
      lineageStartDate: doc.lineage![i]!,
    };
    const x = extras.get(i);
    batch.add(
      doc.types[i]!,
      ff,
      doc.rels![i] ?? undefined,
      x && {
        parentIds: x[1] ?? undefined,
        childIds: x[2] ?? undefined,
        details: x[3] ?? undefined,
        transitUri: x[4] ?? undefined,
      },
    );
  }
  return { batch };
}
