/**
 * The tables of a wire message: every attribute name once, every ordered set of names ("shape") once, every
 * distinct value once; a FlowFile's attributes are a shape ref and one value ref per name. Decoding builds a
 * reader per shape (generated once a shape recurs, as msgpackr does for its records).
 */
import { type Reader, varintSize, Writer } from './wire-buffer';

/**
 * Built as a message grows; `mark` and `rollback` undo what an entry added when it turns out not to fit (one
 * mark at a time: a message grows by one entry, then keeps or drops it).
 * Values are deduplicated by string: a FlowFile's id, its `uuid` and `filename` attributes are one entry.
 */
export class Dictionary {
  private readonly names = new Writer(1024);
  private readonly nameIds = new Map<string, number>();
  private readonly nameList: string[] = [];
  private readonly shapes = new Writer(1024);
  private readonly shapeIds = new Map<string, number>();
  private readonly shapeList: string[][] = [];
  /** Per shape, the values of the last map written and their refs. */
  private lastValues: (string | undefined)[][] = [];
  private lastRefs: number[][] = [];
  private readonly values = new Writer(64 * 1024);
  private readonly valueIds = new Map<string, number>();
  private readonly valueList: string[] = [];
  /** The last shape used: consecutive FlowFiles mostly share one. */
  private lastShape = -1;
  private readonly keys: string[] = [];

  reset(): void {
    this.names.pos = this.shapes.pos = this.values.pos = 0;
    this.nameIds.clear();
    this.nameList.length = 0;
    this.shapeIds.clear();
    this.shapeList.length = 0;
    this.lastValues.length = this.lastRefs.length = 0;
    this.valueIds.clear();
    this.valueList.length = 0;
    this.lastShape = -1;
  }

  /** The ref of a value, added if new. */
  value(v: string): number {
    if (typeof v !== 'string') v = String(v);
    let id = this.valueIds.get(v);
    if (id === undefined) {
      id = this.valueList.length;
      this.valueIds.set(v, id);
      this.valueList.push(v);
      this.values.value(v);
    }
    return id;
  }

  /**
   * Writes an attribute map: its shape ref, then a value ref per name. `self` (the FlowFile's id, whose ref is
   * `selfRef`) and the values the previous map of the same shape had are recognised without a table look-up.
   */
  attributes(attrs: Readonly<Record<string, string>>, out: Writer, self?: string, selfRef = -1): void {
    const keys = this.keys;
    let n = 0;
    for (const k in attrs) keys[n++] = k;
    let shape = this.lastShape;
    const last = shape >= 0 ? this.shapeList[shape]! : undefined;
    if (last === undefined || last.length !== n || !sameKeys(last, keys, n)) shape = this.shape(keys, n);
    this.lastShape = shape;
    out.varint(shape);
    const names = this.shapeList[shape]!;
    const lastValues = this.lastValues[shape]!;
    const lastRefs = this.lastRefs[shape]!;
    for (let i = 0; i < n; i++) {
      const v = attrs[names[i]!]!;
      let ref: number;
      if (v === lastValues[i]) ref = lastRefs[i]!;
      else if (v === self) ref = selfRef;
      else {
        ref = this.value(v);
        lastValues[i] = v;
        lastRefs[i] = ref;
      }
      out.varint(ref);
    }
  }

  private shape(keys: readonly string[], n: number): number {
    const refs: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      let id = this.nameIds.get(k);
      if (id === undefined) {
        id = this.nameList.length;
        this.nameIds.set(k, id);
        this.nameList.push(k);
        this.names.text(k);
      }
      refs[i] = id;
    }
    const key = refs.join(',');
    let shape = this.shapeIds.get(key);
    if (shape === undefined) {
      shape = this.shapeList.length;
      this.shapeIds.set(key, shape);
      this.shapeList.push(keys.slice(0, n));
      this.lastValues.push([]);
      this.lastRefs.push([]);
      this.shapes.varint(n);
      for (const r of refs) this.shapes.varint(r);
    }
    return shape;
  }

  private readonly marked = new Float64Array(6);

  mark(): void {
    const m = this.marked;
    m[0] = this.nameList.length;
    m[1] = this.names.pos;
    m[2] = this.shapeList.length;
    m[3] = this.shapes.pos;
    m[4] = this.valueList.length;
    m[5] = this.values.pos;
  }

  rollback(): void {
    const m = this.marked;
    const names = m[0]!;
    const shapes = m[2]!;
    const values = m[4]!;
    for (let i = names; i < this.nameList.length; i++) this.nameIds.delete(this.nameList[i]!);
    this.nameList.length = names;
    this.names.pos = m[1]!;
    if (this.shapeList.length > shapes) {
      for (const [key, id] of this.shapeIds) if (id >= shapes) this.shapeIds.delete(key);
      this.shapeList.length = this.lastValues.length = this.lastRefs.length = shapes;
      if (this.lastShape >= shapes) this.lastShape = -1;
    }
    this.shapes.pos = m[3]!;
    for (let i = values; i < this.valueList.length; i++) this.valueIds.delete(this.valueList[i]!);
    if (this.valueList.length > values) {
      // The last values may be among those removed: forget them all.
      this.lastValues = this.shapeList.map(() => []);
      this.lastRefs = this.shapeList.map(() => []);
    }
    this.valueList.length = values;
    this.values.pos = m[5]!;
  }

  /** Bytes of the tables without their counts (each count a varint of at most 5 bytes). */
  rawLength(): number {
    return this.names.pos + this.shapes.pos + this.values.pos;
  }

  /** Bytes `write` will take. */
  byteLength(): number {
    return (
      varintSize(this.nameList.length) +
      this.names.pos +
      varintSize(this.shapeList.length) +
      this.shapes.pos +
      varintSize(this.valueList.length) +
      this.values.pos
    );
  }

  write(out: Writer): void {
    out.varint(this.nameList.length);
    out.append(this.names);
    out.varint(this.shapeList.length);
    out.append(this.shapes);
    out.varint(this.valueList.length);
    out.append(this.values);
  }
}

function sameKeys(shape: readonly string[], keys: readonly string[], n: number): boolean {
  for (let i = 0; i < n; i++) if (shape[i] !== keys[i]) return false;
  return true;
}

/** Reads an attribute map of one shape: value refs, in the shape's order. */
type AttributeReader = (r: Reader, values: readonly string[]) => Record<string, string>;

/** The tables of a received message: a reader per shape, and values. */
export interface DecodedDictionary {
  readers: AttributeReader[];
  values: string[];
}

export function readDictionary(r: Reader): DecodedDictionary {
  const names: string[] = new Array(r.varint());
  for (let i = 0; i < names.length; i++) names[i] = r.text();
  const readers: AttributeReader[] = new Array(r.varint());
  for (let i = 0; i < readers.length; i++) {
    const shape: string[] = new Array(r.varint());
    for (let j = 0; j < shape.length; j++) shape[j] = names[r.ref(names.length)]!;
    readers[i] = attributeReader(shape);
  }
  const values: string[] = new Array(r.varint());
  for (let i = 0; i < values.length; i++) values[i] = r.value();
  r.check();
  return { readers, values };
}

/** An attribute map written by `Dictionary.attributes`: a plain object of its own per FlowFile. */
export function readAttributes(r: Reader, d: DecodedDictionary): Record<string, string> {
  return d.readers[r.ref(d.readers.length)]!(r, d.values);
}

/**
 * Readers by shape, kept across messages. A shape seen in a second message gets a reader compiled to one
 * object literal (as msgpackr does for its records): ~10x faster than adding properties one by one, and the
 * object keeps its properties in itself (less memory, less garbage per FlowFile).
 */
const readers = new Map<string, { seen: number; read: AttributeReader }>();
let compiling = true;

function attributeReader(shape: readonly string[]): AttributeReader {
  const key = JSON.stringify(shape);
  let entry = readers.get(key);
  if (entry === undefined) {
    if (readers.size >= 1000) readers.clear();
    entry = { seen: 0, read: genericReader(shape) };
    readers.set(key, entry);
  }
  if (++entry.seen === 2 && compiling) {
    try {
      const props = shape.map((k) => `${k === '__proto__' ? '["__proto__"]' : JSON.stringify(k)}: v[r.ref(n)]`);
      entry.read = new Function('r', 'v', `const n = v.length; return { ${props.join(', ')} };`) as AttributeReader;
    } catch {
      compiling = false; // code generation disallowed (--disallow-code-generation-from-strings)
    }
  }
  return entry.read;
}

function genericReader(shape: readonly string[]): AttributeReader {
  return (r, values) => {
    const attrs: Record<string, string> = {};
    for (const k of shape) {
      const v = values[r.ref(values.length)]!;
      if (k === '__proto__')
        Object.defineProperty(attrs, k, { value: v, enumerable: true, writable: true, configurable: true });
      else attrs[k] = v;
    }
    return attrs;
  };
}

// ---------------------------------------------------------------------------------------------------------
// Queue messages, version 2
