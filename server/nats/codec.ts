/**
 * The wire format of a queue message: a batch of FlowFiles in one msgpack document (msgpackr), content as
 * raw bytes (no base64), or a claim naming an Object Store entry when the content is large. Version 1:
 * `{ v: 1, f: [[id, attributes, content | null, claim | null, size, entryDate, lineageStartDate], ...] }`.
 */
import { Packr } from 'msgpackr';
import type { FlowFile } from '../engine/flowfile';

const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

type WireEntry = [string, Record<string, string>, Buffer | null, string | null, number, number, number];

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
  for (let i = 0; i < items.length; i++) {
    const { ff, claim } = items[i]!;
    f[i] = [
      ff.id,
      ff.attributes as Record<string, string>,
      claim === undefined ? ff.content : null,
      claim ?? null,
      ff.size,
      ff.entryDate,
      ff.lineageStartDate,
    ];
  }
  return packr.pack({ v: 1, f });
}

export function decodeBatch(data: Uint8Array): DecodedFlowFile[] {
  const doc = packr.unpack(data) as { v?: number; f?: WireEntry[] };
  if (doc?.v !== 1 || !Array.isArray(doc.f)) throw new Error(`not a Sluice queue message (version ${doc?.v})`);
  return doc.f.map(([id, attributes, content, claim, size, entryDate, lineageStartDate]) => ({
    id,
    attributes,
    content: content === null ? undefined : Buffer.isBuffer(content) ? content : Buffer.from(content),
    claim: claim ?? undefined,
    size,
    entryDate,
    lineageStartDate,
  }));
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
