/**
 * The FlowFile id → record index. FlowFile ids are random, so one B-tree keyed by id would take every insert
 * to a random page: each commit would rewrite hundreds of pages for a few hundred events. Instead the index is
 * cut into small segments in write order (key = segment ‖ FlowFile id ‖ record key): a commit touches only the
 * few pages of the current segment. A lookup probes only the segments whose Bloom filter (in memory, saved
 * when the segment is full) may hold the id, and whose record range meets the query's.
 */
import { createHash } from 'node:crypto';
import type { Database, Key } from 'lmdb';

const MAX_TEXT_KEY = 256;
const EMPTY = Buffer.alloc(0);
const BITS_PER_ENTRY = 10;
const HASHES = 7;
/** What LMDB spends per entry beyond key and value: node header and page pointer. */
export const ENTRY_OVERHEAD = 10;

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = i;

/** Writes a canonical lower-case UUID as 16 bytes at `offset`; false (and garbage written) when `id` is not one. */
export function writeUuid(id: string, target: Uint8Array, offset: number): boolean {
  if (id.length !== 36) return false;
  let o = offset;
  for (let i = 0; i < 36; ) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (id.charCodeAt(i) !== 45) return false;
      i++;
      continue;
    }
    const hi = HEX[id.charCodeAt(i)] ?? -1;
    const lo = HEX[id.charCodeAt(i + 1)] ?? -1;
    if (hi < 0 || lo < 0) return false;
    target[o++] = (hi << 4) | lo;
    i += 2;
  }
  return true;
}

/** A FlowFile id as index key bytes: a UUID in 16 bytes, other ids as UTF-8 (NUL-terminated), long ones hashed. */
export function flowFileKey(id: string): Buffer {
  const key = Buffer.allocUnsafe(17);
  key[0] = 1;
  if (writeUuid(id, key, 1)) return key;
  const text = Buffer.from(id, 'utf8');
  if (text.length <= MAX_TEXT_KEY && !text.includes(0)) {
    const key = Buffer.allocUnsafe(text.length + 2);
    key[0] = 2;
    text.copy(key, 1);
    key[text.length + 1] = 0;
    return key;
  }
  return Buffer.concat([Buffer.from([3]), createHash('sha256').update(text).digest()]);
}

function hashes(key: Uint8Array, from: number, to: number): [number, number] {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = from; i < to; i++) {
    h1 = Math.imul(h1 ^ key[i]!, 0x01000193);
    h2 = Math.imul(h2 ^ key[i]!, 0x5bd1e995) ^ (h2 >>> 15);
  }
  return [h1 >>> 0, (h2 | 1) >>> 0];
}

interface Segment {
  readonly seg: number;
  /** Lowest and highest record key with entries in it. */
  min: number;
  max: number;
  entries: number;
  readonly bloom: Uint8Array;
}

interface SavedSegment {
  min: number;
  max: number;
  entries: number;
  bloom: Uint8Array;
}

function bloomHas(bloom: Uint8Array, [h1, h2]: [number, number]): boolean {
  const m = bloom.length * 8;
  for (let j = 0; j < HASHES; j++) {
    const bit = (h1 + j * h2) % m;
    if ((bloom[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
  }
  return true;
}

function bloomAdd(bloom: Uint8Array, [h1, h2]: [number, number]): void {
  const m = bloom.length * 8;
  for (let j = 0; j < HASHES; j++) {
    const bit = (h1 + j * h2) % m;
    bloom[bit >>> 3]! |= 1 << (bit & 7);
  }
}

function segmentPrefix(seg: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(seg);
  return b;
}

export class FlowFileIndex {
  /** Ascending by segment number; the last one is written to. */
  private segments: Segment[] = [];
  private readonly bloomBytes: number;
  private readonly scratch = Buffer.alloc(4 + 2 + 4 * MAX_TEXT_KEY + 33 + 8);

  constructor(
    private readonly db: Database<Buffer, Buffer>,
    private readonly meta: Database<unknown, Key>,
    private readonly segmentEntries: number,
  ) {
    this.bloomBytes = Math.ceil((segmentEntries * BITS_PER_ENTRY) / 8);
    this.load();
  }

  /** Saved segments, plus any left unsaved by a crash, rebuilt from their keys; then a fresh segment. */
  private load(): void {
    const saved = new Map<number, SavedSegment>();
    for (const { key, value } of this.meta.getRange({ start: ['seg', 0], end: ['seg', Number.MAX_SAFE_INTEGER] }))
      saved.set((key as [string, number])[1], value as SavedSegment);
    let next = 0;
    for (;;) {
      const [first] = [...this.db.getKeys({ start: segmentPrefix(next), limit: 1 })];
      if (first === undefined) break;
      const seg = first.readUInt32BE(0);
      const s = saved.get(seg);
      this.segments.push(
        s ? { seg, min: s.min, max: s.max, entries: s.entries, bloom: new Uint8Array(s.bloom) } : this.rebuild(seg),
      );
      next = seg + 1;
    }
    this.segments.push(this.fresh(next));
  }

  private fresh(seg: number): Segment {
    return { seg, min: Number.POSITIVE_INFINITY, max: -1, entries: 0, bloom: new Uint8Array(this.bloomBytes) };
  }

  private rebuild(seg: number): Segment {
    const s = this.fresh(seg);
    for (const key of this.db.getKeys({ start: segmentPrefix(seg), end: segmentPrefix(seg + 1) })) {
      const recordKey = readRecordKey(key);
      bloomAdd(s.bloom, hashes(key, 4, key.length - 8));
      s.min = Math.min(s.min, recordKey);
      s.max = Math.max(s.max, recordKey);
      s.entries++;
    }
    return s;
  }

  private key(seg: number, ffKey: Buffer, recordKey: number): Buffer {
    const key = Buffer.allocUnsafe(4 + ffKey.length + 8);
    key.writeUInt32BE(seg, 0);
    ffKey.copy(key, 4);
    key.writeUInt32BE(Math.floor(recordKey / 2 ** 32), 4 + ffKey.length);
    key.writeUInt32BE(recordKey >>> 0, 8 + ffKey.length);
    return key;
  }

  /** The segment a record's entries go to (entries of one record never span two). */
  get current(): number {
    return this.segments.at(-1)!.seg;
  }

  /** Writes the entries of a record (in the caller's transaction); returns the bytes they take. */
  add(ids: Iterable<string>, recordKey: number): number {
    const s = this.segments.at(-1)!;
    const scratch = this.scratch;
    let bytes = 0;
    scratch.writeUInt32BE(s.seg, 0);
    for (const id of ids) {
      // Built in one reused buffer: LMDB copies the key when the put is issued.
      let end: number;
      scratch[4] = 1;
      if (writeUuid(id, scratch, 5)) end = 21;
      else {
        const ffKey = flowFileKey(id);
        ffKey.copy(scratch, 4);
        end = 4 + ffKey.length;
      }
      bloomAdd(s.bloom, hashes(scratch, 4, end));
      scratch.writeUInt32BE(Math.floor(recordKey / 2 ** 32), end);
      scratch.writeUInt32BE(recordKey >>> 0, end + 4);
      this.db.put(scratch.subarray(0, end + 8), EMPTY);
      s.entries++;
      bytes += end + 8 + ENTRY_OVERHEAD;
    }
    if (recordKey < s.min) s.min = recordKey;
    if (recordKey > s.max) s.max = recordKey;
    // Full: save its filter with this very write, and move on.
    if (s.entries >= this.segmentEntries) {
      this.save(s);
      this.segments.push(this.fresh(s.seg + 1));
    }
    return bytes;
  }

  /** Saves the segment being written to (on close), so the next open need not rebuild it. */
  saveCurrent(): void {
    const s = this.segments.at(-1)!;
    if (s.entries > 0) this.save(s);
  }

  private save(s: Segment): void {
    this.meta.put(['seg', s.seg], { min: s.min, max: s.max, entries: s.entries, bloom: Buffer.from(s.bloom) });
  }

  /** Removes a record's entries (eviction). */
  remove(seg: number, ids: Iterable<string>, recordKey: number): void {
    for (const id of ids) this.db.remove(this.key(seg, flowFileKey(id), recordKey));
  }

  /** Forgets the segments whose records are all gone (every record key below `oldest`). */
  dropBelow(oldest: number): void {
    while (this.segments.length > 1 && this.segments[0]!.max < oldest) {
      this.meta.remove(['seg', this.segments[0]!.seg]);
      this.segments.shift();
    }
  }

  /** Keys of the records naming `id` within [lo, hi], newest first, without repeats. */
  recordKeys(id: string, lo: number, hi: number): number[] {
    const ffKey = flowFileKey(id);
    const h = hashes(ffKey, 0, ffKey.length);
    const found = new Set<number>();
    for (let k = this.segments.length - 1; k >= 0; k--) {
      const s = this.segments[k]!;
      if (s.entries === 0 || s.max < lo || s.min > hi || !bloomHas(s.bloom, h)) continue;
      const start = this.key(s.seg, ffKey, 0);
      const end = this.key(s.seg, ffKey, 2 ** 53);
      for (const key of this.db.getKeys({ start, end })) {
        const recordKey = readRecordKey(key);
        if (recordKey >= lo && recordKey <= hi) found.add(recordKey);
      }
    }
    return [...found].sort((a, b) => b - a);
  }

  clear(): void {
    this.segments = [this.fresh(0)];
  }

  /** Segments held and the memory their filters take (for the benchmark). */
  stats(): { segments: number; filterBytes: number } {
    return { segments: this.segments.length, filterBytes: this.segments.length * this.bloomBytes };
  }
}

function readRecordKey(key: Buffer): number {
  return key.readUInt32BE(key.length - 8) * 2 ** 32 + key.readUInt32BE(key.length - 4);
}
