/**
 * The FlowFile id → record index, written by the indexer after commit (see lmdb-provenance-store), many
 * records at a time. It is cut into segments in write order (up to `segmentEntries` entries each), each with a
 * Bloom filter in memory (saved when the segment is full). A segment's entries are stored in parts, one per
 * indexer chunk (key = segment ‖ first record key of the part), each a packed array of (64-bit hash of the
 * FlowFile id, record key): one put per chunk, not one per event. A lookup probes only the segments whose
 * filter may hold the id and whose record range meets the query's, and scans their parts. Two ids may share a
 * hash: callers check the records they get against the id.
 */
import type { Database, Key } from 'lmdb';

/** A put prepared outside the write transaction, issued inside it (see record-indexer). */
export type IndexWrite = [db: Database<unknown, Key> | Database<Buffer, Buffer>, key: Key, value: unknown];

const BITS_PER_ENTRY = 10;
const HASHES = 7;
/** Bytes an entry takes in a part: hash (8) and record key (8). */
export const FLOWFILE_ENTRY_BYTES = 16;
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

/** The two halves of the last `hashId`: module state, so the per-event path allocates nothing. */
let H1 = 0;
let H2 = 0;

/** 64 bits of hash of an id's UTF-16 code units (two independent 32-bit multiplicative hashes). */
function hashId(id: string): void {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
  }
  H1 = (h1 ^ (h1 >>> 16)) >>> 0;
  H2 = (h2 | 1) >>> 0;
}

function bloomHas(bloom: Uint8Array, h1: number, h2: number): boolean {
  const m = bloom.length * 8;
  for (let j = 0; j < HASHES; j++) {
    const bit = (h1 + j * h2) % m;
    if ((bloom[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
  }
  return true;
}

function bloomAdd(bloom: Uint8Array, h1: number, h2: number): void {
  const m = bloom.length * 8;
  for (let j = 0; j < HASHES; j++) {
    const bit = (h1 + j * h2) % m;
    bloom[bit >>> 3]! |= 1 << (bit & 7);
  }
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

function partKey(seg: number, firstRecordKey = 0): Buffer {
  const b = Buffer.allocUnsafe(12);
  b.writeUInt32BE(seg, 0);
  b.writeUInt32BE(Math.floor(firstRecordKey / 2 ** 32), 4);
  b.writeUInt32BE(firstRecordKey >>> 0, 8);
  return b;
}

export class FlowFileIndex {
  /** Ascending by segment number; the last one is written to. */
  private segments: Segment[] = [];
  private readonly bloomBytes: number;
  /** Entries added since the last flush, all of the current segment. */
  private part = Buffer.alloc(64 * FLOWFILE_ENTRY_BYTES);
  private partLength = 0;
  private partFirst = 0;

  constructor(
    private readonly db: Database<Buffer, Buffer>,
    private readonly meta: Database<unknown, Key>,
    private readonly segmentEntries: number,
  ) {
    this.bloomBytes = Math.ceil((segmentEntries * BITS_PER_ENTRY) / 8);
    this.load();
  }

  /** Saved segments, plus any left unsaved by a crash, rebuilt from their parts; then a fresh segment. */
  private load(): void {
    const saved = new Map<number, SavedSegment>();
    for (const { key, value } of this.meta.getRange({ start: ['seg', 0], end: ['seg', Number.MAX_SAFE_INTEGER] }))
      saved.set((key as [string, number])[1], value as SavedSegment);
    let next = 0;
    for (;;) {
      const [first] = [...this.db.getKeys({ start: partKey(next), limit: 1 })];
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
    for (const { value } of this.db.getRange({ start: partKey(seg), end: partKey(seg + 1) })) {
      for (let o = 0; o + FLOWFILE_ENTRY_BYTES <= value.length; o += FLOWFILE_ENTRY_BYTES) {
        bloomAdd(s.bloom, value.readUInt32LE(o), value.readUInt32LE(o + 4));
        const recordKey = value.readDoubleLE(o + 8);
        if (recordKey < s.min) s.min = recordKey;
        if (recordKey > s.max) s.max = recordKey;
        s.entries++;
      }
    }
    return s;
  }

  /** Adds an entry (record `recordKey` names `id`); its write goes to `writes` at the next `flush`. */
  add(id: string, recordKey: number, writes: IndexWrite[]): void {
    let s = this.segments.at(-1)!;
    if (s.entries >= this.segmentEntries) {
      // Full: its last part and its filter are saved, and the next segment begins.
      this.flush(writes);
      writes.push(this.saved(s));
      s = this.fresh(s.seg + 1);
      this.segments.push(s);
    }
    hashId(id);
    bloomAdd(s.bloom, H1, H2);
    if (recordKey < s.min) s.min = recordKey;
    if (recordKey > s.max) s.max = recordKey;
    s.entries++;
    if (this.partLength === 0) this.partFirst = recordKey;
    if (this.partLength + FLOWFILE_ENTRY_BYTES > this.part.length) {
      const bigger = Buffer.alloc(this.part.length * 2);
      this.part.copy(bigger, 0, 0, this.partLength);
      this.part = bigger;
    }
    const o = this.partLength;
    this.part.writeUInt32LE(H1, o);
    this.part.writeUInt32LE(H2, o + 4);
    this.part.writeDoubleLE(recordKey, o + 8);
    this.partLength += FLOWFILE_ENTRY_BYTES;
  }

  /** The entries added since the last flush, as one part of the current segment. */
  flush(writes: IndexWrite[]): void {
    if (this.partLength === 0) return;
    const seg = this.segments.at(-1)!.seg;
    writes.push([this.db, partKey(seg, this.partFirst), Buffer.from(this.part.subarray(0, this.partLength))]);
    this.partLength = 0;
  }

  /** Saves the segment being written to (on close, in the current transaction), so the next open need not rebuild it. */
  saveCurrent(): void {
    const s = this.segments.at(-1)!;
    if (s.entries === 0) return;
    const [db, key, value] = this.saved(s);
    db.put(key as never, value as never);
  }

  private saved(s: Segment): IndexWrite {
    return [this.meta, ['seg', s.seg], { min: s.min, max: s.max, entries: s.entries, bloom: Buffer.from(s.bloom) }];
  }

  /** Forgets the segments whose records are all gone (every record key below `oldest`), with their parts. */
  dropBelow(oldest: number): void {
    while (this.segments.length > 1 && this.segments[0]!.max < oldest) {
      const seg = this.segments[0]!.seg;
      this.meta.remove(['seg', seg]);
      for (const key of this.db.getKeys({ start: partKey(seg), end: partKey(seg + 1) })) this.db.remove(key);
      this.segments.shift();
    }
  }

  /** Keys of the records that may name `id` within [lo, hi], newest first, without repeats. */
  recordKeys(id: string, lo: number, hi: number): number[] {
    hashId(id);
    const h1 = H1;
    const h2 = H2;
    const found = new Set<number>();
    for (let k = this.segments.length - 1; k >= 0; k--) {
      const s = this.segments[k]!;
      if (s.entries === 0 || s.max < lo || s.min > hi || !bloomHas(s.bloom, h1, h2)) continue;
      for (const { value } of this.db.getRange({ start: partKey(s.seg), end: partKey(s.seg + 1) })) {
        for (let o = 0; o + FLOWFILE_ENTRY_BYTES <= value.length; o += FLOWFILE_ENTRY_BYTES) {
          if (value.readUInt32LE(o) !== h1 || value.readUInt32LE(o + 4) !== h2) continue;
          const recordKey = value.readDoubleLE(o + 8);
          if (recordKey >= lo && recordKey <= hi) found.add(recordKey);
        }
      }
    }
    return [...found].sort((a, b) => b - a);
  }

  clear(): void {
    this.segments = [this.fresh(0)];
    this.partLength = 0;
  }

  /** Segments held and the memory their filters take (for the benchmark). */
  stats(): { segments: number; filterBytes: number } {
    return { segments: this.segments.length, filterBytes: this.segments.length * this.bloomBytes };
  }
}
