/**
 * Queue messages of version 1 (msgpackr header, written by Sluice before version 2): read, so queues written by
 * an older Sluice drain after an upgrade; written only by tests and the benchmark of the upgrade path.
 */
import { Packr } from 'msgpackr';
import type { DecodedFlowFile, OutgoingFlowFile } from './codec';

const packr = new Packr({ useRecords: true, mapsAsObjects: true, moreTypes: false });

type WireEntryV1 = [string, Record<string, string>, number, string | null, number, number, number];

export function decodeV1(buf: Buffer): DecodedFlowFile[] {
  const headerLength = buf.length >= 4 ? buf.readUInt32BE(0) : -1;
  if (headerLength < 0 || 4 + headerLength > buf.length) throw new Error('not a Sluice queue message');
  const doc = packr.unpack(buf.subarray(4, 4 + headerLength)) as { v?: number; f?: WireEntryV1[] };
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

/** The version 1 format, as Sluice wrote it before version 2: for tests and benchmarks of the upgrade path. */
export function encodeBatchV1(items: readonly OutgoingFlowFile[]): Buffer {
  const f: WireEntryV1[] = new Array(items.length);
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
  const head = packr.pack({ v: 1, f });
  const out = Buffer.allocUnsafe(4 + head.length + inline);
  out.writeUInt32BE(head.length, 0);
  head.copy(out, 4);
  let offset = 4 + head.length;
  for (const { ff, claim } of items)
    if (claim === undefined && ff.content.length > 0) offset += ff.content.copy(out, offset);
  return out;
}
