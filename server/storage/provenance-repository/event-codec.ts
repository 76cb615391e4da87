/**
 * The on-disk form of provenance (msgpackr): one record per committed batch, by column. What every event of a
 * session shares (time, flow, component) is stored once; per event its type and relationship (as indexes into
 * small per-record tables), FlowFile id (16 bytes when every id of the record is a UUID), size, lineage start
 * (as a delta from the batch time), attributes and content claims, and only for the events that have them
 * parents, children, details, transit URI and the claim before a content change. Attributes are stored by
 * shape: each distinct list of names once per record, per event the shape's number and one code per value;
 * a code is 0 for a value equal to the FlowFile id (which `uuid` and often `filename` are), else an index into
 * the record's table of distinct strings (values and claims), so a value repeated across events is stored once.
 * Encoding is the only per-event work on the commit path (see lmdb-provenance-store): it allocates per
 * record, not per event. A persisted shape: append fields, never renumber them.
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
import { writeUuid } from './flowfile-index';

const packr = new Packr({ useRecords: false });
const VERSION = 2;
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
/** Whether event `i` names `id` (as its FlowFile, a parent or a child), without copying its lists. */
export function names(source: Pick<RecordSource, 'flowFileId' | 'extra'>, i: number, id: string): boolean {
  if (source.flowFileId(i) === id) return true;
  const x = source.extra(i);
  return x !== undefined && ((x.parentIds?.includes(id) ?? false) || (x.childIds?.includes(id) ?? false));
}

export function mentionedBy(source: Pick<RecordSource, 'flowFileId' | 'extra'>, i: number): readonly string[] {
  const id = source.flowFileId(i);
  const x = source.extra(i);
  if (!x || (!x.parentIds?.length && !x.childIds?.length)) return [id];
  return [id, ...(x.parentIds ?? []), ...(x.childIds ?? [])];
}

/** What the indexes need of a record (a staged one, or one read back from disk). */
export interface IndexableRecord {
  readonly time: number;
  readonly flowId: string;
  readonly componentId: string;
  readonly length: number;
  readonly encodedLength: number;
  typeNamesPresent(): readonly ProvenanceEventType[];
  flowFileId(i: number): string;
  extra(i: number): Readonly<Extra> | undefined;
}

/** A record just encoded, as the indexer sees it until it is indexed: fields read from its source, not decoded. */
export class StagedRecord implements IndexableRecord {
  readonly time: number;
  readonly flowId: string;
  readonly componentId: string;
  readonly length: number;

  constructor(
    private readonly source: RecordSource,
    private readonly typeNames: readonly ProvenanceEventType[],
    readonly encodedLength: number,
  ) {
    this.time = source.time;
    this.flowId = source.flowId;
    this.componentId = source.componentId;
    this.length = source.length;
  }

  typeNamesPresent(): readonly ProvenanceEventType[] {
    return this.typeNames;
  }

  flowFileId(i: number): string {
    return this.source.flowFileId(i);
  }

  extra(i: number): Readonly<Extra> | undefined {
    return this.source.extra(i);
  }
}

/** The index of `value` in a small table (types, relationships: a few entries), added when missing. */
function smallIndex<T extends string>(table: T[], value: T): number {
  for (let k = 0; k < table.length; k++) if (table[k] === value) return k;
  return table.push(value) - 1;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** Value codes of the record being encoded (encoding is synchronous: one buffer serves every record). */
let scratchCodes = new Uint32Array(4096);

/** Encodes a record; returns its bytes and its distinct event types (for the indexes). */
export function encodeRecord(source: RecordSource): { data: Buffer; typeNames: ProvenanceEventType[] } {
  const n = source.length;
  const typeNames: ProvenanceEventType[] = [];
  const types: number[] = new Array(n);
  const relNames: string[] = [];
  const rels: number[] = new Array(n);
  const sizes: number[] = new Array(n);
  const lineage: number[] = new Array(n);
  const shapes: string[][] = [];
  const shapeOf: number[] = new Array(n);
  let values = scratchCodes;
  let vi = 0;
  const strings: string[] = [];
  const extras: [number, readonly string[] | null, readonly string[] | null, string | null, string | null][] = [];
  let claims: number[] | null = null;
  let previousClaims: [number, string][] | null = null;
  let uuids: Buffer | undefined = Buffer.allocUnsafe(16 * n);
  // Events of a session mostly share type, relationship, attribute names and many values with the event before:
  // a value equal to the one before it in its column is stored once (a lookup of every value costs more, on
  // the commit path, than the bytes it would save).
  let lastType: ProvenanceEventType | undefined;
  let typeCode = 0;
  let lastRel: string | undefined;
  let relCode = 0;
  let shape: string[] | undefined;
  let shapeCode = -1;
  const lastValues: string[] = [];
  const lastCodes: number[] = [];
  let lastClaim: string | undefined;
  let claimCode = 0;
  for (let i = 0; i < n; i++) {
    const id = source.flowFileId(i);
    if (uuids && !writeUuid(id, uuids, 16 * i)) uuids = undefined;
    const type = source.type(i);
    if (type !== lastType) {
      lastType = type;
      typeCode = smallIndex(typeNames, type);
    }
    types[i] = typeCode;
    const rel = source.relationship(i);
    if (rel !== lastRel) {
      lastRel = rel;
      relCode = rel === undefined ? 0 : smallIndex(relNames, rel) + 1;
    }
    rels[i] = relCode;
    sizes[i] = source.size(i);
    lineage[i] = source.time - source.lineageStartDate(i);
    const a = source.attributes(i);
    let k = 0;
    let same = shape !== undefined;
    for (const name in a) {
      if (same && shape![k] !== name) same = false;
      const value = a[name]!;
      let c: number;
      if (value === id) c = 0;
      else if (value === lastValues[k]) c = lastCodes[k]!;
      else {
        c = strings.push(value);
        lastValues[k] = value;
        lastCodes[k] = c;
      }
      if (vi === values.length) {
        const bigger = new Uint32Array(values.length * 2);
        bigger.set(values);
        values = scratchCodes = bigger;
      }
      values[vi++] = c;
      k++;
    }
    if (!same || k !== shape!.length) {
      const names = Object.keys(a);
      shapeCode = shapes.findIndex((s) => sameNames(s, names));
      if (shapeCode < 0) shapeCode = shapes.push(names) - 1;
      shape = shapes[shapeCode]!;
    }
    shapeOf[i] = shapeCode;
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
      claims ??= new Array(n).fill(0);
      if (claim !== lastClaim) {
        lastClaim = claim;
        claimCode = strings.push(claim);
      }
      claims[i] = claimCode;
    }
    const previous = source.previousClaim(i);
    if (previous !== undefined) {
      previousClaims ??= [];
      previousClaims.push([i, previous]);
    }
  }
  let ids: Buffer | string[] | undefined = uuids;
  if (!ids) {
    ids = new Array<string>(n);
    for (let i = 0; i < n; i++) ids[i] = source.flowFileId(i);
  }
  const data = packr.pack([
    VERSION,
    source.kind,
    source.time,
    source.flowId,
    source.componentId,
    source.componentType,
    typeNames,
    types,
    ids,
    sizes,
    lineage,
    relNames,
    rels,
    shapes,
    shapeOf,
    packCodes(values, vi, strings.length),
    strings,
    extras,
    claims,
    previousClaims,
  ]);
  return { data, typeNames };
}

/** Bytes per value code: the fewest that hold the record's largest code (its number of strings). */
function codeWidth(strings: number): 1 | 2 | 4 {
  return strings < 0x100 ? 1 : strings < 0x10000 ? 2 : 4;
}

/** The first `count` codes, little-endian, `codeWidth` bytes each. */
function packCodes(codes: Uint32Array, count: number, strings: number): Buffer {
  const width = codeWidth(strings);
  const view = codes.subarray(0, count);
  const packed = width === 1 ? new Uint8Array(view) : width === 2 ? new Uint16Array(view) : view;
  return Buffer.from(packed.buffer, packed.byteOffset, count * width);
}

/** Packed codes as an array (copied, so a wider one is aligned). */
function unpackCodes(packed: Uint8Array, strings: number): Uint8Array | Uint16Array | Uint32Array {
  const width = codeWidth(strings);
  if (width === 1) return packed;
  const copy = packed.buffer.slice(packed.byteOffset, packed.byteOffset + packed.byteLength) as ArrayBuffer;
  return width === 2 ? new Uint16Array(copy) : new Uint32Array(copy);
}

function uuidAt(hex: string, i: number): string {
  const s = i * 32;
  return `${hex.slice(s, s + 8)}-${hex.slice(s + 8, s + 12)}-${hex.slice(s + 12, s + 16)}-${hex.slice(s + 16, s + 20)}-${hex.slice(s + 20, s + 32)}`;
}

/** One stored record, decoded. Event objects are built only for the events asked for. */
export class StoredRecord implements IndexableRecord {
  readonly kind: RecordKind;
  readonly time: number;
  readonly flowId: string;
  readonly componentId: string;
  readonly componentType: string;
  readonly length: number;
  private readonly typeNames: ProvenanceEventType[];
  private readonly types: number[];
  private readonly ids: string[];
  private readonly doc: unknown[];
  private readonly extras = new Map<number, Extra>();
  /** Where each event's attribute value codes start (computed when first asked). */
  private valueStarts: Uint32Array | undefined;
  private codes: Uint8Array | Uint16Array | Uint32Array | undefined;

  constructor(
    readonly firstId: number,
    readonly encodedLength: number,
    doc: unknown[],
  ) {
    if (doc[0] !== VERSION)
      throw new Error(
        `provenance record ${firstId} has unknown version ${String(doc[0])} (this build reads version ${VERSION})`,
      );
    this.doc = doc;
    this.kind = doc[1] as RecordKind;
    this.time = doc[2] as number;
    this.flowId = doc[3] as string;
    this.componentId = doc[4] as string;
    this.componentType = doc[5] as string;
    this.typeNames = doc[6] as ProvenanceEventType[];
    this.types = doc[7] as number[];
    this.length = this.types.length;
    const idColumn = doc[8] as Uint8Array | string[];
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

  private string(code: number): string {
    return (this.doc[16] as string[])[code - 1]!;
  }

  private attributes(i: number): Attributes {
    const shapes = this.doc[13] as string[][];
    const shapeOf = this.doc[14] as number[];
    if (!this.valueStarts) {
      this.valueStarts = new Uint32Array(this.length);
      for (let e = 0, at = 0; e < this.length; e++) {
        this.valueStarts[e] = at;
        at += shapes[shapeOf[e]!]!.length;
      }
    }
    const names = shapes[shapeOf[i]!]!;
    this.codes ??= unpackCodes(this.doc[15] as Uint8Array, (this.doc[16] as string[]).length);
    const codes = this.codes;
    const start = this.valueStarts[i]!;
    const id = this.ids[i]!;
    const out: Attributes = {};
    for (let k = 0; k < names.length; k++) {
      const c = codes[start + k]!;
      out[names[k]!] = c === 0 ? id : this.string(c);
    }
    return out;
  }

  /** Event `i`, numbered firstId + i. */
  event(i: number): ProvenanceEvent {
    const d = this.doc;
    const relIndex = (d[12] as number[])[i]!;
    const relationship = relIndex === 0 ? undefined : (d[11] as string[])[relIndex - 1];
    const claimCode = (d[18] as number[] | null)?.[i] ?? 0;
    const claim = claimCode === 0 ? undefined : this.string(claimCode);
    const previous = (d[19] as [number, string][] | null)?.find((p) => p[0] === i)?.[1];
    const size = (d[9] as number[])[i]!;
    const lineageStartDate = this.time - (d[10] as number[])[i]!;
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
