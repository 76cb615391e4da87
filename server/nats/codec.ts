/**
 * The wire format of a queue message: a batch of FlowFiles. A 4-byte length, then a msgpack header (msgpackr)
 * with each FlowFile's id, attributes and dates, then the inline contents back to back as raw bytes (no
 * base64, no copy into the header). Large content is not in the message: the header names its claim in the
 * content store. Version 1 header:
 * `{ v: 1, f: [[id, attributes, inlineLength | -1, claim | null, size, entryDate, lineageStartDate], ...] }`.
 */
import { Packr } from 'msgpackr';
import type { FlowFile } from '../engine/flowfile';

// Records: an attribute map's keys are written once per message, not once per FlowFile (self-contained messages).
const packr = new Packr({ useRecords: true, mapsAsObjects: true, moreTypes: false });

type WireEntry = [string, Record<string, string>, number, string | null, number, number, number];

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

export function encodeBatch(items: readonly OutgoingFlowFile[]): Buffer {
  const f: WireEntry[] = new Array(items.length);
  let inline = 0;
  for (let i = 0; i < items.length; i++) {
    const { ff, claim } = items[i]!;
    const length = claim === undefined ? ff.content.length : -1;
    if (length > 0) inline += length;
    f[i] = [
      ff.id,
      ff.attributes as Record<string, string>,
      length,
      claim ?? null,
      ff.size,
      ff.entryDate,
      ff.lineageStartDate,
    ];
  }
  const header = packr.pack({ v: 1, f });
  const out = Buffer.allocUnsafe(4 + header.length + inline);
  out.writeUInt32BE(header.length, 0);
  header.copy(out, 4);
  let offset = 4 + header.length;
  for (const { ff, claim } of items)
    if (claim === undefined && ff.content.length > 0) offset += ff.content.copy(out, offset);
  return out;
}

export function decodeBatch(data: Uint8Array): DecodedFlowFile[] {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const headerLength = buf.length >= 4 ? buf.readUInt32BE(0) : -1;
  if (headerLength < 0 || 4 + headerLength > buf.length) throw new Error('not a Sluice queue message');
  const doc = packr.unpack(buf.subarray(4, 4 + headerLength)) as { v?: number; f?: WireEntry[] };
  if (doc?.v !== 1 || !Array.isArray(doc.f)) throw new Error(`not a Sluice queue message (version ${doc?.v})`);
  let offset = 4 + headerLength;
  return doc.f.map(([id, attributes, length, claim, size, entryDate, lineageStartDate]) => {
    let content: Buffer | undefined;
    if (length >= 0) {
      if (offset + length > buf.length) throw new Error(`message truncated in the content of FlowFile ${id}`);
      content = buf.subarray(offset, offset + length);
      offset += length;
    }
    return { id, attributes, content, claim: claim ?? undefined, size, entryDate, lineageStartDate };
  });
}

/** A generous guess of an entry's encoded size (UTF-8 may take 3 bytes per UTF-16 unit). */
export function estimateSize(item: OutgoingFlowFile): number {
  let n = 64 + item.ff.id.length;
  for (const k in item.ff.attributes) n += 8 + 3 * (k.length + item.ff.attributes[k]!.length);
  return n + (item.claim === undefined ? item.ff.size : 3 * item.claim.length);
}

/**
 * Splits FlowFiles into encoded messages of at most `maxBytes` and `maxCount` FlowFiles, in order. A group
 * whose estimate was too low is split again; a single FlowFile that cannot fit throws, naming it.
 */
export function encodeMessages(
  items: readonly OutgoingFlowFile[],
  maxBytes: number,
  maxCount: number,
): { data: Buffer; items: readonly OutgoingFlowFile[] }[] {
  const out: { data: Buffer; items: readonly OutgoingFlowFile[] }[] = [];
  const emit = (group: readonly OutgoingFlowFile[]): void => {
    const data = encodeBatch(group);
    if (data.length <= maxBytes) {
      out.push({ data, items: group });
      return;
    }
    if (group.length === 1)
      throw new MessageTooLargeError(
        `FlowFile ${group[0]!.ff.id} needs ${data.length} bytes in one message, above the ${maxBytes} allowed (attributes too large?)`,
      );
    const half = Math.ceil(group.length / 2);
    emit(group.slice(0, half));
    emit(group.slice(half));
  };
  let group: OutgoingFlowFile[] = [];
  let bytes = 16;
  for (const item of items) {
    const size = estimateSize(item);
    if (group.length > 0 && (bytes + size > maxBytes || group.length >= maxCount)) {
      emit(group);
      group = [];
      bytes = 16;
    }
    group.push(item);
    bytes += size;
  }
  if (group.length > 0) emit(group);
  return out;
}
