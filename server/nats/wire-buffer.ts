/**
 * The byte-level pieces of Sluice's hand-written wire formats (queue messages, provenance messages): unsigned
 * LEB128 varints, UTF-8 strings, lowercase UUIDs as 16 bytes, dates as small deltas; a growable Writer that
 * encoders reuse message to message, and a bounds-checked Reader.
 */
/** Bytes an unsigned varint of `v` takes. */
export function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Zigzag + 1 of `value - base` when that is an integer that adds back exactly, or 0 for "a float64 follows". */
function dateCode(value: number, base: number): number {
  const d = value - base;
  if (!Number.isInteger(d) || d > 2 ** 50 || d < -(2 ** 50) || base + d !== value) return 0;
  return (d >= 0 ? 2 * d : -2 * d - 1) + 1;
}

const HEX_VALUE = new Uint8Array(128).fill(255);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) HEX_VALUE[97 + i] = 10 + i;
const HEX_CHAR = new Uint8Array(16);
for (let i = 0; i < 16; i++) HEX_CHAR[i] = i.toString(16).charCodeAt(0);

/** A growable buffer that encoders write into, then copy out of (module scratch: reused message to message). */
export class Writer {
  buf: Buffer;
  pos = 0;

  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(n: number): void {
    if (this.pos + n > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.pos + n));
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  varint(v: number): void {
    this.ensure(8);
    const b = this.buf;
    let p = this.pos;
    if (v < 0x80) b[p++] = v;
    else if (v < 0x80000000) {
      while (v >= 0x80) {
        b[p++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      b[p++] = v;
    } else {
      while (v >= 0x80) {
        b[p++] = (v % 128) | 0x80;
        v = Math.floor(v / 128);
      }
      b[p++] = v;
    }
    this.pos = p;
  }

  /** A varint in exactly `k` bytes (padded with continuation bytes), at `at`. */
  private paddedVarint(v: number, k: number, at: number): void {
    const b = this.buf;
    for (let i = 0; i < k - 1; i++) {
      b[at++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    b[at] = v;
  }

  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }

  /** A date relative to `base`: varint (zigzag of the delta + 1), or 0 then the date itself as float64. */
  date(value: number, base: number): void {
    const code = dateCode(value, base);
    this.varint(code);
    if (code === 0) this.f64(value);
  }

  /** A string: varint (UTF-8 byte length + bias), then its UTF-8. */
  text(s: string, bias = 0): void {
    const len = s.length;
    if (len <= 42) {
      // ASCII in JS: a native call costs more than the copy for short strings.
      this.ensure(len + 1);
      const b = this.buf;
      const start = this.pos;
      let p = start + 1;
      for (let i = 0; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          this.utf8(s, bias);
          return;
        }
        b[p++] = c;
      }
      b[start] = len + bias;
      this.pos = p;
      return;
    }
    this.utf8(s, bias);
  }

  private utf8(s: string, bias: number): void {
    const k = varintSize(3 * s.length + bias);
    this.ensure(k + 3 * s.length);
    const n = this.buf.write(s, this.pos + k, 'utf8');
    this.paddedVarint(n + bias, k, this.pos);
    this.pos += k + n;
  }

  /** A value of a value table: a lowercase UUID in 16 bytes, anything else as text. */
  value(s: string): void {
    if (s.length === 36 && this.uuid(s)) return;
    this.text(s, 1);
  }

  private uuid(s: string): boolean {
    this.ensure(17);
    const b = this.buf;
    let p = this.pos + 1;
    for (let i = 0; i < 36; ) {
      if (i === 8 || i === 13 || i === 18 || i === 23) {
        if (s.charCodeAt(i) !== 45) return false;
        i++;
      }
      const hi = HEX_VALUE[s.charCodeAt(i)]!; // undefined past ASCII: not below 16 either
      const lo = HEX_VALUE[s.charCodeAt(i + 1)]!;
      if (!(hi < 16 && lo < 16)) return false;
      b[p++] = (hi << 4) | lo;
      i += 2;
    }
    b[this.pos] = 0;
    this.pos = p;
    return true;
  }

  /** Appends what another writer holds. */
  append(w: Writer): void {
    this.ensure(w.pos);
    w.buf.copy(this.buf, this.pos, 0, w.pos);
    this.pos += w.pos;
  }
}

export function truncated(): never {
  throw new Error('message truncated or corrupt');
}

export class Reader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  /** Throws when a read went past the end. */
  check(): void {
    if (this.pos > this.end) truncated();
  }

  u8(): number {
    if (this.pos >= this.end) truncated();
    return this.buf[this.pos++]!;
  }

  varint(): number {
    const b = this.buf;
    let x = b[this.pos++]!;
    if (x < 0x80) return x;
    let v = x & 0x7f;
    let mul = 128;
    for (;;) {
      x = b[this.pos++]!;
      if (x === undefined || mul > 2 ** 49) truncated();
      v += (x & 0x7f) * mul;
      if (x < 0x80) return v;
      mul *= 128;
    }
  }

  f64(): number {
    if (this.pos + 8 > this.end) truncated();
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  u32(): number {
    if (this.pos + 4 > this.end) truncated();
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  date(base: number): number {
    const code = this.varint();
    if (code === 0) return this.f64();
    const z = code - 1;
    return base + (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
  }

  text(bias = 0): string {
    const n = this.varint() - bias;
    const start = this.pos;
    this.pos += n;
    if (n < 0 || this.pos > this.end) truncated();
    return this.buf.toString('utf8', start, this.pos);
  }

  value(): string {
    const b = this.buf;
    if (b[this.pos] !== 0) return this.text(1);
    const o = this.pos + 1;
    this.pos += 17;
    if (this.pos > this.end) truncated();
    const h = HEX_CHAR;
    // One flat string from 36 char codes: cheaper than hex and concatenation, and hashes without flattening.
    return String.fromCharCode(
      h[b[o]! >> 4]!,
      h[b[o]! & 15]!,
      h[b[o + 1]! >> 4]!,
      h[b[o + 1]! & 15]!,
      h[b[o + 2]! >> 4]!,
      h[b[o + 2]! & 15]!,
      h[b[o + 3]! >> 4]!,
      h[b[o + 3]! & 15]!,
      45,
      h[b[o + 4]! >> 4]!,
      h[b[o + 4]! & 15]!,
      h[b[o + 5]! >> 4]!,
      h[b[o + 5]! & 15]!,
      45,
      h[b[o + 6]! >> 4]!,
      h[b[o + 6]! & 15]!,
      h[b[o + 7]! >> 4]!,
      h[b[o + 7]! & 15]!,
      45,
      h[b[o + 8]! >> 4]!,
      h[b[o + 8]! & 15]!,
      h[b[o + 9]! >> 4]!,
      h[b[o + 9]! & 15]!,
      45,
      h[b[o + 10]! >> 4]!,
      h[b[o + 10]! & 15]!,
      h[b[o + 11]! >> 4]!,
      h[b[o + 11]! & 15]!,
      h[b[o + 12]! >> 4]!,
      h[b[o + 12]! & 15]!,
      h[b[o + 13]! >> 4]!,
      h[b[o + 13]! & 15]!,
      h[b[o + 14]! >> 4]!,
      h[b[o + 14]! & 15]!,
      h[b[o + 15]! >> 4]!,
      h[b[o + 15]! & 15]!,
    );
  }

  /** An index below `n`. */
  ref(n: number): number {
    const i = this.varint();
    if (i >= n) truncated();
    return i;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The per-message dictionary: attribute names, shapes (ordered name sets) and values, each once
