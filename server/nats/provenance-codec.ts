/**
 * The wire format of provenance messages. Version 3 (written for batches) carries a slice of one session's
 * batch by column, hand-written like queue messages (see codec.ts for varints, strings and the dictionary):
 * ```
 * 0xC1 0x03
 * u8 0 | u8 1, u32 BE of, u32 BE index    whole events | a part: one event with a slice of its parents/children
 * f64 BE time, text flow, text component, text component type
 * varint event count
 * dictionary: names, shapes, values       attribute names once, every distinct value (ids too) once
 * varint × 8: byte length of each column, then the columns:
 *   types      value ref per event
 *   ids        value ref per event
 *   attributes shape ref, then a value ref per name, per event
 *   sizes      varint per event
 *   lineage    lineage start - time per event: varint (zigzag + 1), or 0 then the date as f64 BE
 *   flags      varint per event: 1 relationship, 2 parents, 4 children, 8 details, 16 transit URI
 *   extras     per event, what its flags say: relationship ref, parent count, child count, details ref, URI ref
 *   refs       parent then child value refs, per event
 * ```
 * A single event too large for a message (a FORK into 100,000 children) goes in parts, each that event with a
 * slice of its parents then children, in order; decoded, a part is that event with only its slice.
 * Version 2 (msgpackr, read only) is the same by column with attributes as maps; version 1 (msgpackr, still
 * written by `encodeEvents`) is a plain list of events (queue EXPIRE/DROP events and other `append` calls).
 */
import { Packr } from 'msgpackr';
import type { FlowFile } from '../engine/flowfile';
import type { NewProvenanceEvent, ProvenanceEventType } from '../engine/provenance';
import { ProvenanceBatch } from '../engine/provenance-batch';
import { MAGIC } from './codec';
import { Reader, truncated, varintSize, Writer } from './wire-buffer';
import { Dictionary, readAttributes, readDictionary } from './wire-dictionary';

const packr = new Packr({ useRecords: true, mapsAsObjects: true });
const EMPTY = Buffer.alloc(0);
const VERSION = 3;

/** One message of `encodeBatchMessages`: events `from` to `to` (exclusive) of the batch. */
export interface ProvenanceChunk {
  data: Buffer;
  from: number;
  to: number;
  /** Set when the message holds a slice of one event's parents/children: slice `index` of `of`. */
  part?: { of: number; index: number };
}

export function encodeEvents(events: readonly NewProvenanceEvent[]): Buffer {
  return packr.pack({ v: 1, e: events });
}

// Columns
const TYPES = 0;
const IDS = 1;
const ATTRS = 2;
const SIZES = 3;
const LINEAGE = 4;
const FLAGS = 5;
const EXTRAS = 6;
const REFS = 7;
const COLUMNS = 8;

const F_REL = 1;
const F_PARENTS = 2;
const F_CHILDREN = 4;
const F_DETAILS = 8;
const F_URI = 16;

/** Module scratch: encoding is synchronous, one message at a time. */
const dictionary = new Dictionary();
const columns = Array.from({ length: COLUMNS }, () => new Writer(16 * 1024));
const prefix = new Writer(1024);
const out = new Writer(64 * 1024);

/** Grows one message event by event (or one event reference by reference), knowing its exact size. */
class ProvenanceMessageBuilder {
  count = 0;
  /** The event being added: its flags and extras are written when it closes. */
  private open = -1;
  private rel = -1;
  private details = -1;
  private uri = -1;
  private parents = 0;
  private children = 0;

  constructor(
    private readonly batch: ProvenanceBatch,
    part: boolean,
  ) {
    dictionary.reset();
    for (const c of columns) c.pos = 0;
    prefix.pos = 0;
    prefix.u8(MAGIC);
    prefix.u8(VERSION);
    prefix.u8(part ? 1 : 0);
    if (part) {
      prefix.u32(0);
      prefix.u32(0);
    }
    prefix.f64(batch.time);
    prefix.text(batch.flowId);
    prefix.text(batch.componentId);
    prefix.text(batch.componentType);
  }

  private closeFlags(): number {
    return (
      (this.rel >= 0 ? F_REL : 0) |
      (this.parents > 0 ? F_PARENTS : 0) |
      (this.children > 0 ? F_CHILDREN : 0) |
      (this.details >= 0 ? F_DETAILS : 0) |
      (this.uri >= 0 ? F_URI : 0)
    );
  }

  private closeExtrasSize(): number {
    return (
      (this.rel >= 0 ? varintSize(this.rel) : 0) +
      (this.parents > 0 ? varintSize(this.parents) : 0) +
      (this.children > 0 ? varintSize(this.children) : 0) +
      (this.details >= 0 ? varintSize(this.details) : 0) +
      (this.uri >= 0 ? varintSize(this.uri) : 0)
    );
  }

  /** The bytes the message takes now (the open event closed). */
  size(): number {
    let n = prefix.pos + varintSize(this.count) + dictionary.byteLength();
    for (let c = 0; c < COLUMNS; c++) {
      let len = columns[c]!.pos;
      if (this.open >= 0 && c === FLAGS) len += 1;
      else if (this.open >= 0 && c === EXTRAS) len += this.closeExtrasSize();
      n += varintSize(len) + len;
    }
    return n;
  }

  /** Whether the message (the open event closed) is within `maxBytes`: a bound first, exact when close. */
  fits(maxBytes: number): boolean {
    let raw = prefix.pos + dictionary.rawLength();
    for (let c = 0; c < COLUMNS; c++) raw += columns[c]!.pos;
    // 12 varint counts and lengths of at most 5 bytes, and an open event's flags and extras.
    if (raw + 12 * 5 + 1 + 5 * 5 <= maxBytes) return true;
    return this.size() <= maxBytes;
  }

  /** What `rollback` returns to (one mark at a time). */
  private readonly marked = new Float64Array(COLUMNS + 3);

  mark(): void {
    dictionary.mark();
    const m = this.marked;
    for (let c = 0; c < COLUMNS; c++) m[c] = columns[c]!.pos;
    m[COLUMNS] = this.count;
    m[COLUMNS + 1] = this.parents;
    m[COLUMNS + 2] = this.children;
  }

  rollback(): void {
    dictionary.rollback();
    const m = this.marked;
    for (let c = 0; c < COLUMNS; c++) columns[c]!.pos = m[c]!;
    if (m[COLUMNS]! < this.count) this.open = -1;
    this.count = m[COLUMNS]!;
    this.parents = m[COLUMNS + 1]!;
    this.children = m[COLUMNS + 2]!;
  }

  /** Writes event `i` without its parents and children, which `ref` adds; `close` ends it. */
  start(i: number): void {
    const batch = this.batch;
    const ff = batch.flowFiles[i]!;
    columns[TYPES]!.varint(dictionary.value(batch.types[i]!));
    const idRef = dictionary.value(ff.id);
    columns[IDS]!.varint(idRef);
    dictionary.attributes(ff.attributes, columns[ATTRS]!, ff.id, idRef);
    columns[SIZES]!.varint(ff.size);
    columns[LINEAGE]!.date(ff.lineageStartDate, batch.time);
    const rel = batch.relationships[i];
    this.rel = rel === undefined ? -1 : dictionary.value(rel);
    // Only what the session recorded; what the batch derives (a DROP's details) it derives again when read.
    const e = batch.extra(i);
    this.details = e?.details === undefined ? -1 : dictionary.value(e.details);
    this.uri = e?.transitUri === undefined ? -1 : dictionary.value(e.transitUri);
    this.parents = this.children = 0;
    this.open = i;
    this.count++;
  }

  /** Adds a parent (before any child) or a child of the open event. */
  ref(id: string, parent: boolean): void {
    columns[REFS]!.varint(dictionary.value(id));
    if (parent) this.parents++;
    else this.children++;
  }

  close(): void {
    columns[FLAGS]!.u8(this.closeFlags());
    const x = columns[EXTRAS]!;
    if (this.rel >= 0) x.varint(this.rel);
    if (this.parents > 0) x.varint(this.parents);
    if (this.children > 0) x.varint(this.children);
    if (this.details >= 0) x.varint(this.details);
    if (this.uri >= 0) x.varint(this.uri);
    this.open = -1;
  }

  /** Adds event `i` whole if the message stays within `maxBytes`. */
  add(i: number, maxBytes: number): boolean {
    const unbounded = maxBytes === Number.POSITIVE_INFINITY;
    if (!unbounded) this.mark();
    this.start(i);
    const e = this.batch.extra(i);
    if (e?.parentIds) for (const id of e.parentIds) this.ref(id, true);
    if (e?.childIds) for (const id of e.childIds) this.ref(id, false);
    this.close();
    if (!unbounded && !this.fits(maxBytes)) {
      this.rollback();
      return false;
    }
    return true;
  }

  finish(): Buffer {
    out.pos = 0;
    out.append(prefix);
    out.varint(this.count);
    dictionary.write(out);
    for (const c of columns) out.varint(c.pos);
    for (const c of columns) out.append(c);
    return Buffer.from(out.buf.subarray(0, out.pos));
  }
}

/** Events `from` to `to` (exclusive) of a batch, as one message (any size: see `encodeBatchMessages`). */
export function encodeBatchSlice(batch: ProvenanceBatch, from: number, to: number): Buffer {
  const b = new ProvenanceMessageBuilder(batch, false);
  for (let i = from; i < to; i++) b.add(i, Number.POSITIVE_INFINITY);
  return b.finish();
}

/**
 * A batch as messages of at most `maxBytes` and `maxEvents` events: consecutive events, each message as full as
 * it can be. An event that alone exceeds `maxBytes` goes in parts (see `ProvenanceChunk.part`), each with as
 * many of its parents then children as fit; one that cannot fit even with a single one throws, naming it.
 */
export function encodeBatchMessages(batch: ProvenanceBatch, maxBytes: number, maxEvents = 1000): ProvenanceChunk[] {
  const chunks: ProvenanceChunk[] = [];
  const max = Math.max(1, maxEvents);
  for (let from = 0; from < batch.length; ) {
    const b = new ProvenanceMessageBuilder(batch, false);
    let to = from;
    while (to < batch.length && b.count < max && b.add(to, maxBytes)) to++;
    if (to > from) {
      chunks.push({ data: b.finish(), from, to });
      from = to;
    } else {
      for (const chunk of encodeParts(batch, from, maxBytes)) chunks.push(chunk);
      from++;
    }
  }
  return chunks;
}

function encodeParts(batch: ProvenanceBatch, i: number, maxBytes: number): ProvenanceChunk[] {
  const e = batch.extra(i);
  const parents = e?.parentIds ?? [];
  const children = e?.childIds ?? [];
  const total = parents.length + children.length;
  const tooLarge = () =>
    new Error(
      `a provenance event of FlowFile ${batch.flowFiles[i]!.id} exceeds ${maxBytes} bytes${total > 0 ? ', even with one parent or child per message' : ''} (attributes too large?)`,
    );
  const parts: ProvenanceChunk[] = [];
  let k = 0;
  do {
    const b = new ProvenanceMessageBuilder(batch, true);
    b.start(i);
    if (!b.fits(maxBytes)) throw tooLarge();
    const first = k;
    while (k < total) {
      b.mark();
      if (k < parents.length) b.ref(parents[k]!, true);
      else b.ref(children[k - parents.length]!, false);
      if (!b.fits(maxBytes)) {
        b.rollback();
        break;
      }
      k++;
    }
    if (k === first) throw tooLarge();
    b.close();
    parts.push({ data: b.finish(), from: i, to: i + 1, part: { of: 0, index: parts.length } });
  } while (k < total);
  for (const p of parts) {
    p.part!.of = parts.length;
    p.data.writeUInt32BE(parts.length, 3);
    p.data.writeUInt32BE(p.part!.index, 7);
  }
  return parts;
}

export type DecodedProvenance =
  | { events: NewProvenanceEvent[] }
  | { batch: ProvenanceBatch; part?: { of: number; index: number } };

export function decodeProvenance(data: Uint8Array): DecodedProvenance {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length >= 2 && buf[0] === MAGIC) {
    if (buf[1] !== VERSION) throw new Error(`not a Sluice provenance message (version ${buf[1]})`);
    return decodeV3(buf);
  }
  const doc = packr.unpack(buf) as Omit<Partial<BatchDocV2>, 'v'> & { v?: number; e?: NewProvenanceEvent[] };
  if (doc?.v === 1 && Array.isArray(doc.e)) return { events: doc.e };
  if (doc?.v !== 2 || !Array.isArray(doc.types)) throw new Error('not a Sluice provenance message');
  return { batch: decodeV2(doc as BatchDocV2) };
}

function decodeV3(buf: Buffer): { batch: ProvenanceBatch; part?: { of: number; index: number } } {
  const r = new Reader(buf, 2, buf.length);
  const part = r.u8() === 1 ? { of: r.u32(), index: r.u32() } : undefined;
  const time = r.f64();
  const batch = new ProvenanceBatch(time, r.text(), r.text(), r.text());
  const count = r.varint();
  const d = readDictionary(r);
  const values = d.values;
  const lengths: number[] = new Array(COLUMNS);
  for (let c = 0; c < COLUMNS; c++) lengths[c] = r.varint();
  r.check();
  const cols: Reader[] = new Array(COLUMNS);
  let at = r.pos;
  for (let c = 0; c < COLUMNS; c++) {
    cols[c] = new Reader(buf, at, at + lengths[c]!);
    at += lengths[c]!;
  }
  if (at > buf.length || count > buf.length) truncated();
  const [types, ids, attrs, sizes, lineage, flags, extras, refs] = cols as [
    Reader,
    Reader,
    Reader,
    Reader,
    Reader,
    Reader,
    Reader,
    Reader,
  ];
  const n = values.length;
  const list = (length: number): string[] => {
    if (length > refs.end - refs.pos) truncated();
    const ids: string[] = new Array(length);
    for (let j = 0; j < length; j++) ids[j] = values[refs.ref(n)]!;
    return ids;
  };
  for (let i = 0; i < count; i++) {
    const type = values[types.ref(n)] as ProvenanceEventType;
    const ff: FlowFile = {
      id: values[ids.ref(n)]!,
      attributes: readAttributes(attrs, d),
      content: EMPTY,
      size: sizes.varint(),
      entryDate: 0,
      lineageStartDate: lineage.date(time),
    };
    const f = flags.varint();
    const rel = f & F_REL ? values[extras.ref(n)] : undefined;
    const parentCount = f & F_PARENTS ? extras.varint() : 0;
    const childCount = f & F_CHILDREN ? extras.varint() : 0;
    const details = f & F_DETAILS ? values[extras.ref(n)] : undefined;
    const transitUri = f & F_URI ? values[extras.ref(n)] : undefined;
    batch.add(
      type,
      ff,
      rel,
      f & ~F_REL
        ? {
            parentIds: parentCount > 0 ? list(parentCount) : undefined,
            childIds: childCount > 0 ? list(childCount) : undefined,
            details,
            transitUri,
          }
        : undefined,
    );
  }
  for (const c of cols) c.check();
  return part ? { batch, part } : { batch };
}

// Version 2 (msgpackr): read for messages an older Sluice left in the stream; written only by `encodeBatchSliceV2`.
type ExtraV2 = [number, readonly string[] | null, readonly string[] | null, string | null, string | null];

interface BatchDocV2 {
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
  x: ExtraV2[];
}

function decodeV2(doc: BatchDocV2): ProvenanceBatch {
  const batch = new ProvenanceBatch(doc.t, doc.f, doc.c, doc.k);
  const extras = new Map<number, ExtraV2>();
  for (const x of doc.x ?? []) extras.set(x[0], x);
  for (let i = 0; i < doc.types.length; i++) {
    const ff: FlowFile = {
      id: doc.ids[i]!,
      attributes: doc.attrs[i]!,
      content: EMPTY,
      size: doc.sizes[i]!,
      entryDate: 0,
      lineageStartDate: doc.lineage[i]!,
    };
    const x = extras.get(i);
    batch.add(
      doc.types[i]!,
      ff,
      doc.rels[i] ?? undefined,
      x && {
        parentIds: x[1] ?? undefined,
        childIds: x[2] ?? undefined,
        details: x[3] ?? undefined,
        transitUri: x[4] ?? undefined,
      },
    );
  }
  return batch;
}

/** The version 2 format, as Sluice wrote it before version 3: for tests and benchmarks of the upgrade path. */
export function encodeBatchSliceV2(batch: ProvenanceBatch, from: number, to: number): Buffer {
  const doc: BatchDocV2 = {
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
