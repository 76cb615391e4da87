/**
 * The on-disk form of provenance (msgpackr): one record per committed batch, by column. What every event of a
 * session shares (time, flow, component) is stored once; per event its type and relationship (as indexes into
 * small per-record tables), FlowFile id (16 bytes when every id of the record is a UUID), size, lineage start
 * (as a delta from the batch time), attributes (names once per record, a value equal to the FlowFile id as
 * nil, which `uuid` and often `filename` are), and only for the events that have them parents, children,
 * details, transit URI and content claims. A persisted shape: append fields, never renumber them.
 */
import { Packr } from 'msgpackr';
import type { Attributes, FlowFile } from '../../engine/flowfile';
import {
  type NewProvenanceEvent,
  NO_IDS,
  type ProvenanceEvent,
  type ProvenanceEventType,
} from '../../engine/provenance';
import { ProvenanceBatch } from '../../engine/provenance-batch';
import { getOrInsert } from '../../util/maps';
import { writeUuid } from './flowfile-index';

const packr = new Packr({ useRecords: false });
const VERSION = 1;
const EMPTY = Buffer.alloc(0);

/** A session's batch (DROP details derived when read, as ProvenanceBatch does), or loose events (kept as given). */
export type RecordKind = 0 | 1;

interface Extra {
  parentIds?: readonly string[];
  childIds?: readonly string[];
  details?: string;
  transitUri?: string;
}

/** What a record is written from: a slice of a ProvenanceBatch, or a run of events sharing time, flow and component. */
export interface RecordSource {
  readonly kind: RecordKind;
  readonly time: number;
  readonly flowId: string;
  readonly componentId: string;
  readonly componentType: string;
  readonly length: number;
  type(i: number): ProvenanceEventType;
  flowFileId(i: number): string;
  attributes(i: number): Readonly<Attributes>;
  size(i: number): number;
  lineageStartDate(i: number): number;
  relationship(i: number): string | undefined;
  extra(i: number): Readonly<Extra> | undefined;
  claim(i: number): string | undefined;
  previousClaim(i: number): string | undefined;
}

export function batchSource(batch: ProvenanceBatch, from = 0, to = batch.length): RecordSource {
  return {
    kind: 0,
    time: batch.time,
    flowId: batch.flowId,
    componentId: batch.componentId,
    componentType: batch.componentType,
    length: to - from,
    type: (i) => batch.types[from + i]!,
    flowFileId: (i) => batch.flowFiles[from + i]!.id,
    attributes: (i) => batch.flowFiles[from + i]!.attributes,
    size: (i) => batch.flowFiles[from + i]!.size,
    lineageStartDate: (i) => batch.flowFiles[from + i]!.lineageStartDate,
    relationship: (i) => batch.relationships[from + i],
    extra: (i) => batch.extra(from + i),
    claim: (i) => batch.claim(from + i),
    previousClaim: (i) => batch.previousClaim(from + i),
  };
}

/** Events `from` to `to` (exclusive), which must share time, flow and component (see `eventRuns`). */
export function eventsSource(events: readonly NewProvenanceEvent[], from: number, to: number): RecordSource {
  const first = events[from]!;
  return {
    kind: 1,
    time: first.time,
    flowId: first.flowId,
    componentId: first.componentId,
    componentType: first.componentType,
    length: to - from,
    type: (i) => events[from + i]!.type,
    flowFileId: (i) => events[from + i]!.flowFileId,
    attributes: (i) => events[from + i]!.attributes,
    size: (i) => events[from + i]!.contentSize,
    lineageStartDate: (i) => events[from + i]!.lineageStartDate,
    relationship: (i) => events[from + i]!.relationship,
    extra: (i) => {
      const e = events[from + i]!;
      if (!e.parentIds.length && !e.childIds.length && e.details === undefined && e.transitUri === undefined)
        return undefined;
      return { parentIds: e.parentIds, childIds: e.childIds, details: e.details, transitUri: e.transitUri };
    },
    claim: (i) => events[from + i]!.contentClaim,
    previousClaim: (i) => events[from + i]!.previousContentClaim,
  };
}

/**
 * [from, to) runs of consecutive events that share time, flow and component (and, given `idOf`, have
 * consecutive ids): one record each.
 */
export function eventRuns<E extends NewProvenanceEvent>(
  events: readonly E[],
  idOf?: (e: E) => number,
): [number, number][] {
  const runs: [number, number][] = [];
  if (events.length === 0) return runs;
  let start = 0;
  for (let i = 1; i <= events.length; i++) {
    const a = events[start]!;
    const b = events[i];
    if (
      b === undefined ||
      (idOf !== undefined && idOf(b) !== idOf(events[i - 1]!) + 1) ||
      b.time !== a.time ||
      b.flowId !== a.flowId ||
      b.componentId !== a.componentId ||
      b.componentType !== a.componentType
    ) {
      runs.push([start, i]);
      start = i;
    }
  }
  return runs;
}

/** Every FlowFile id event `i` names: its own, its parents' and its children's. */
export function mentionedBy(source: Pick<RecordSource, 'flowFileId' | 'extra'>, i: number): readonly string[] {
  const id = source.flowFileId(i);
  const x = source.extra(i);
  if (!x || (!x.parentIds?.length && !x.childIds?.length)) return [id];
  return [id, ...(x.parentIds ?? []), ...(x.childIds ?? [])];
}

function tableIndex(table: string[], lookup: Map<string, number>, value: string): number {
  return getOrInsert(lookup, value, () => table.push(value) - 1);
}

export function encodeRecord(source: RecordSource, seg: number, indexBytes: number): Buffer {
  const n = source.length;
  const typeNames: string[] = [];
  const typeLookup = new Map<string, number>();
  const relNames: string[] = [];
  const relLookup = new Map<string, number>();
  const names: string[] = [];
  const nameLookup = new Map<string, number>();
  const types: number[] = new Array(n);
  const rels: number[] = new Array(n);
  const sizes: number[] = new Array(n);
  const lineage: number[] = new Array(n);
  const attrs: (number | string | null)[][] = new Array(n);
  const extras: [number, readonly string[] | null, readonly string[] | null, string | null, string | null][] = [];
  let claims: (string | null)[] | null = null;
  let previousClaims: [number, string][] | null = null;
  let uuids: Buffer | undefined = Buffer.allocUnsafe(16 * n);
  const ids: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const id = source.flowFileId(i);
    ids[i] = id;
    if (uuids && !writeUuid(id, uuids, 16 * i)) uuids = undefined;
    types[i] = tableIndex(typeNames, typeLookup, source.type(i));
    const rel = source.relationship(i);
    rels[i] = rel === undefined ? 0 : tableIndex(relNames, relLookup, rel) + 1;
    sizes[i] = source.size(i);
    lineage[i] = source.time - source.lineageStartDate(i);
    const flat: (number | string | null)[] = [];
    const a = source.attributes(i);
    for (const name in a) {
      const value = a[name]!;
      flat.push(tableIndex(names, nameLookup, name), value === id ? null : value);
    }
    attrs[i] = flat;
    const x = source.extra(i);
    if (x)
      extras.push([
        i,
        x.parentIds?.length ? x.parentIds : null,
        x.childIds?.length ? x.childIds : null,
        x.details ?? null,
        x.transitUri ?? null,
      ]);
    const claim = source.claim(i);
    if (claim !== undefined) {
      claims ??= new Array(n).fill(null);
      claims[i] = claim;
    }
    const previous = source.previousClaim(i);
    if (previous !== undefined) {
      previousClaims ??= [];
      previousClaims.push([i, previous]);
    }
  }
  return packr.pack([
    VERSION,
    source.kind,
    source.time,
    source.flowId,
    source.componentId,
    source.componentType,
    seg,
    indexBytes,
    typeNames,
    types,
    uuids ?? ids,
    sizes,
    lineage,
    relNames,
    rels,
    names,
    attrs,
    extras,
    claims,
    previousClaims,
  ]);
}

function uuidAt(hex: string, i: number): string {
  const s = i * 32;
  return `${hex.slice(s, s + 8)}-${hex.slice(s + 8, s + 12)}-${hex.slice(s + 12, s + 16)}-${hex.slice(s + 16, s + 20)}-${hex.slice(s + 20, s + 32)}`;
}

/** One stored record, decoded. Event objects are built only for the events asked for. */
export class StoredRecord {
  readonly kind: RecordKind;
  readonly time: number;
  readonly flowId: string;
  readonly componentId: string;
  readonly componentType: string;
  /** The FlowFile index segment its entries went to. */
  readonly seg: number;
  readonly indexBytes: number;
  readonly length: number;
  private readonly typeNames: ProvenanceEventType[];
  private readonly types: number[];
  private readonly ids: string[];
  private readonly doc: unknown[];
  private readonly extras = new Map<number, Extra>();

  constructor(
    readonly firstId: number,
    readonly encodedLength: number,
    doc: unknown[],
  ) {
    if (doc[0] !== VERSION) throw new Error(`provenance record ${firstId} has unknown version ${String(doc[0])}`);
    this.doc = doc;
    this.kind = doc[1] as RecordKind;
    this.time = doc[2] as number;
    this.flowId = doc[3] as string;
    this.componentId = doc[4] as string;
    this.componentType = doc[5] as string;
    this.seg = doc[6] as number;
    this.indexBytes = doc[7] as number;
    this.typeNames = doc[8] as ProvenanceEventType[];
    this.types = doc[9] as number[];
    this.length = this.types.length;
    const idColumn = doc[10] as Uint8Array | string[];
    if (Array.isArray(idColumn)) this.ids = idColumn;
    else {
      const hex = Buffer.from(idColumn.buffer, idColumn.byteOffset, idColumn.byteLength).toString('hex');
      this.ids = new Array(this.length);
      for (let i = 0; i < this.length; i++) this.ids[i] = uuidAt(hex, i);
    }
    for (const [i, parents, children, details, uri] of doc[17] as [
      number,
      string[] | null,
      string[] | null,
      string | null,
      string | null,
    ][])
      this.extras.set(i, {
        parentIds: parents ?? undefined,
        childIds: children ?? undefined,
        details: details ?? undefined,
        transitUri: uri ?? undefined,
      });
  }

  /** Event ids of this record: firstId .. lastId. */
  get lastId(): number {
    return this.firstId + this.length - 1;
  }

  type(i: number): ProvenanceEventType {
    return this.typeNames[this.types[i]!]!;
  }

  /** The distinct event types of the record. */
  typeNamesPresent(): readonly ProvenanceEventType[] {
    return this.typeNames;
  }

  flowFileId(i: number): string {
    return this.ids[i]!;
  }

  extra(i: number): Readonly<Extra> | undefined {
    return this.extras.get(i);
  }

  mentioned(i: number): readonly string[] {
    return mentionedBy(this, i);
  }

  private attributes(i: number): Attributes {
    const names = this.doc[15] as string[];
    const flat = (this.doc[16] as (number | string | null)[][])[i]!;
    const id = this.ids[i]!;
    const out: Attributes = {};
    for (let k = 0; k < flat.length; k += 2) out[names[flat[k] as number]!] = (flat[k + 1] as string | null) ?? id;
    return out;
  }

  /** Event `i`, numbered firstId + i. */
  event(i: number): ProvenanceEvent {
    const d = this.doc;
    const relIndex = (d[14] as number[])[i]!;
    const relationship = relIndex === 0 ? undefined : (d[13] as string[])[relIndex - 1];
    const claim = (d[18] as (string | null)[] | null)?.[i] ?? undefined;
    const previous = (d[19] as [number, string][] | null)?.find((p) => p[0] === i)?.[1];
    const size = (d[11] as number[])[i]!;
    const lineageStartDate = this.time - (d[12] as number[])[i]!;
    const x = this.extras.get(i);
    if (this.kind === 0) {
      // Through a one-event batch, so derived fields (a DROP's details) are exactly what the session's batch gives.
      const ff: FlowFile = {
        id: this.ids[i]!,
        attributes: this.attributes(i),
        content: EMPTY,
        size,
        entryDate: 0,
        lineageStartDate,
      };
      const one = new ProvenanceBatch(this.time, this.flowId, this.componentId, this.componentType);
      one.add(this.type(i), ff, relationship, x);
      one.setClaims(0, claim, previous);
      return one.event(0, this.firstId + i);
    }
    return {
      eventId: this.firstId + i,
      type: this.type(i),
      time: this.time,
      flowId: this.flowId,
      flowFileId: this.ids[i]!,
      componentId: this.componentId,
      componentType: this.componentType,
      relationship,
      parentIds: x?.parentIds ?? NO_IDS,
      childIds: x?.childIds ?? NO_IDS,
      attributes: this.attributes(i),
      contentSize: size,
      lineageStartDate,
      transitUri: x?.transitUri,
      details: x?.details,
      ...(claim !== undefined && { contentClaim: claim }),
      ...(previous !== undefined && { previousContentClaim: previous }),
    };
  }
}

export function decodeRecord(firstId: number, data: Uint8Array): StoredRecord {
  const doc = packr.unpack(data) as unknown[];
  if (!Array.isArray(doc)) throw new Error(`provenance record ${firstId} is not a Sluice provenance record`);
  return new StoredRecord(firstId, data.length, doc);
}
