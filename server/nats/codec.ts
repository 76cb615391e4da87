/**
 * The wire format of a queue message: a batch of FlowFiles, its header hand-written (no msgpack), the inline
 * contents back to back as raw bytes after it (no base64, no copy into the header; decoded as subarrays of the
 * message). Large content is not in the message: the header names its claim in the content store.
 *
 * Version 2 (written). Integers are unsigned LEB128 varints (a string's length may be padded with continuation
 * bytes: the writer reserves its room before it knows the UTF-8 length); strings are a varint byte length then
 * UTF-8; a ref is a varint index into a table of the message.
 * ```
 * 0xC1 0x02                 0xC1 is never a msgpack byte, nor the first byte of a version 1 message
 * u32 BE   header length    the header follows; the inline contents follow the header
 * varint   FlowFile count
 * names    varint n, then n strings            every attribute name once
 * shapes   varint n, then n × (varint k, k name refs)   an ordered set of names, shared by FlowFiles
 * values   varint n, then n values             every distinct value (attribute value, id, claim) once:
 *          varint 0 then 16 bytes for a lowercase UUID, else varint (byte length + 1) then UTF-8
 * f64 BE   base date (the first FlowFile's entry date)
 * records, one per FlowFile:
 *   id value ref, shape ref, one value ref per name of the shape,
 *   content: varint length + 2 (inline, size = length) | 1, length, size (inline) | 0, claim value ref, size,
 *   entry date - base, lineage start date - entry date: varint (zigzag + 1), or 0 then the date as f64 BE
 *   (when the delta is not an exact integer)
 * ```
 * Decoded, every FlowFile gets an attributes object of its own. Version 1 (read only): a 4-byte header length, then a msgpackr header
 * `{ v: 1, f: [[id, attributes, inlineLength | -1, claim | null, size, entryDate, lineageStartDate], ...] }`.
 */
import type { FlowFile } from '../engine/flowfile';
import { decodeV1 } from './codec-v1';
import { Reader, truncated, varintSize, Writer } from './wire-buffer';
import { Dictionary, readAttributes, readDictionary } from './wire-dictionary';

export interface DecodedFlowFile {
  id: string;
  attributes: Record<string, string>;
  /** Inline content; absent when the content is in the content store under `claim`. */
  content?: Buffer;
  claim?: string;
  size: number;
  entryDate: number;
  lineageStartDate: number;
}

/** One FlowFile to encode: inline, or by claim when its content was put in the content store. */
export interface OutgoingFlowFile {
  ff: FlowFile;
  claim?: string;
}

export class MessageTooLargeError extends Error {}

/** First byte of every hand-written message (queue version 2, provenance version 3). */
export const MAGIC = 0xc1;
const QUEUE_VERSION = 2;
const QUEUE_PREFIX = 6; // magic, version, u32 header length

// ---------------------------------------------------------------------------------------------------------
// Binary writing and reading (shared with the provenance codec)

/** Module scratch: encoding is synchronous, one message at a time. */
const dictionary = new Dictionary();
const records = new Writer(64 * 1024);
const header = new Writer(64 * 1024);

/** Grows one message FlowFile by FlowFile, knowing its exact size at every step. */
class QueueMessageBuilder {
  count = 0;
  private inline = 0;
  private base = 0;
  private readonly contents: Buffer[] = [];

  constructor() {
    dictionary.reset();
    records.pos = 0;
  }

  /** The bytes the message takes now. */
  size(): number {
    return QUEUE_PREFIX + varintSize(this.count) + dictionary.byteLength() + 8 + records.pos + this.inline;
  }

  /** Adds `item` if the message stays within `maxBytes`; otherwise returns the size it would have had. */
  add(item: OutgoingFlowFile, maxBytes: number): number | undefined {
    const { ff, claim } = item;
    const fits = maxBytes === Number.POSITIVE_INFINITY;
    if (!fits) dictionary.mark();
    const recordsPos = records.pos;
    if (this.count === 0) this.base = ff.entryDate;
    const idRef = dictionary.value(ff.id);
    records.varint(idRef);
    dictionary.attributes(ff.attributes, records, ff.id, idRef);
    let length = 0;
    if (claim === undefined) {
      length = ff.content.length;
      if (ff.size === length) records.varint(length + 2);
      else {
        records.varint(1);
        records.varint(length);
        records.varint(ff.size);
      }
    } else {
      records.varint(0);
      records.varint(dictionary.value(claim));
      records.varint(ff.size);
    }
    records.date(ff.entryDate, this.base);
    records.date(ff.lineageStartDate, ff.entryDate);
    this.count++;
    this.inline += length;
    // A bound first (4 counts of at most 5 bytes), the exact size only when close.
    if (!fits && QUEUE_PREFIX + 20 + dictionary.rawLength() + 8 + records.pos + this.inline > maxBytes) {
      const size = this.size();
      if (size > maxBytes) {
        this.count--;
        this.inline -= length;
        records.pos = recordsPos;
        dictionary.rollback();
        return size;
      }
    }
    if (length > 0) this.contents.push(ff.content);
    return undefined;
  }

  finish(): Buffer {
    header.pos = 0;
    header.varint(this.count);
    dictionary.write(header);
    header.f64(this.base);
    header.append(records);
    const out = Buffer.allocUnsafe(QUEUE_PREFIX + header.pos + this.inline);
    out[0] = MAGIC;
    out[1] = QUEUE_VERSION;
    out.writeUInt32BE(header.pos, 2);
    header.buf.copy(out, QUEUE_PREFIX, 0, header.pos);
    let offset = QUEUE_PREFIX + header.pos;
    for (const c of this.contents) {
      out.set(c, offset); // cheaper than Buffer#copy for small contents
      offset += c.length;
    }
    return out;
  }
}

export function encodeBatch(items: readonly OutgoingFlowFile[]): Buffer {
  const b = new QueueMessageBuilder();
  for (const item of items) b.add(item, Number.POSITIVE_INFINITY);
  return b.finish();
}

export function decodeBatch(data: Uint8Array): DecodedFlowFile[] {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length >= QUEUE_PREFIX && buf[0] === MAGIC) {
    if (buf[1] !== QUEUE_VERSION) throw new Error(`not a Sluice queue message (version ${buf[1]})`);
    return decodeV2(buf);
  }
  return decodeV1(buf);
}

function decodeV2(buf: Buffer): DecodedFlowFile[] {
  const headerEnd = QUEUE_PREFIX + buf.readUInt32BE(2);
  if (headerEnd > buf.length) throw new Error('not a Sluice queue message (truncated header)');
  const r = new Reader(buf, QUEUE_PREFIX, headerEnd);
  const count = r.varint();
  if (count > headerEnd) truncated();
  const d = readDictionary(r);
  const values = d.values;
  const base = r.f64();
  const out: DecodedFlowFile[] = new Array(count);
  let offset = headerEnd;
  for (let i = 0; i < count; i++) {
    const id = values[r.ref(values.length)]!;
    const attributes = readAttributes(r, d);
    const c = r.varint();
    let content: Buffer | undefined;
    let claim: string | undefined;
    let size: number;
    if (c === 0) {
      claim = values[r.ref(values.length)]!;
      size = r.varint();
    } else {
      const length = c === 1 ? r.varint() : c - 2;
      size = c === 1 ? r.varint() : length;
      if (offset + length > buf.length) throw new Error(`message truncated in the content of FlowFile ${id}`);
      content = buf.subarray(offset, offset + length);
      offset += length;
    }
    const entryDate = r.date(base);
    const lineageStartDate = r.date(entryDate);
    r.check();
    out[i] = { id, attributes, content, claim, size, entryDate, lineageStartDate };
  }
  return out;
}

// Version 1 (msgpackr): read for messages an older Sluice left in a queue; written only by `encodeBatchV1`.
/**
 * A generous guess of what an entry adds to a version 2 message, its values assumed new except those equal
 * to its id (`uuid`, `filename`) and its names and shape assumed shared. `encodeMessages` does not need it:
 * it measures messages exactly as it builds them.
 */
export function estimateSize(item: OutgoingFlowFile): number {
  const { ff, claim } = item;
  const id = ff.id;
  const textSize = (s: string) => 4 + 3 * s.length;
  let n = 24 + (id.length === 36 ? 17 : textSize(id));
  for (const k in ff.attributes) {
    const v = ff.attributes[k]!;
    n += 3 + (v === id ? 0 : textSize(v));
  }
  return n + (claim === undefined ? ff.content.length : textSize(claim));
}

/**
 * Splits FlowFiles into encoded messages of at most `maxBytes` and `maxCount` FlowFiles, in order, each as full
 * as it can be (sizes are exact as a message grows). A single FlowFile that cannot fit throws, naming it.
 */
export function encodeMessages(
  items: readonly OutgoingFlowFile[],
  maxBytes: number,
  maxCount: number,
): { data: Buffer; items: readonly OutgoingFlowFile[] }[] {
  const out: { data: Buffer; items: readonly OutgoingFlowFile[] }[] = [];
  const tooLarge = (item: OutgoingFlowFile, size: number) =>
    new MessageTooLargeError(
      `FlowFile ${item.ff.id} needs ${size} bytes in one message, above the ${maxBytes} allowed (attributes too large?)`,
    );
  // A safety net only: the builder's size is exact, so no message comes out larger than it said.
  const emit = (group: readonly OutgoingFlowFile[], data: Buffer): void => {
    if (data.length <= maxBytes) {
      out.push({ data, items: group });
      return;
    }
    if (group.length === 1) throw tooLarge(group[0]!, data.length);
    const half = Math.ceil(group.length / 2);
    emit(group.slice(0, half), encodeBatch(group.slice(0, half)));
    emit(group.slice(half), encodeBatch(group.slice(half)));
  };
  const limit = Math.max(1, maxCount);
  let b = new QueueMessageBuilder();
  let start = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const full = b.count >= limit;
    const over = full ? undefined : b.add(item, maxBytes);
    if (!full && over === undefined) continue;
    if (b.count === 0) throw tooLarge(item, over!);
    emit(items.slice(start, i), b.finish());
    b = new QueueMessageBuilder();
    start = i;
    const alone = b.add(item, maxBytes);
    if (alone !== undefined) throw tooLarge(item, alone);
  }
  if (b.count > 0) emit(items.slice(start), b.finish());
  return out;
}
