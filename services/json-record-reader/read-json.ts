/**
 * Reading JSON records: a JSON array of objects, or JSON lines (one object per line). Detection: the first
 * non-space character `[` means an array. A whole-content object (even spread over lines) is one record.
 * JSON lines: a line that is not JSON or not an object is an invalid record with its line; an array with a syntax
 * error is unreadable (throws); an element that is not an object is invalid with the line where it starts.
 */
import type { InvalidRecord, RecordObject, RecordReader, RecordSchema, RecordSet } from '../../sdk';
import { rawExcerpt } from '../../sdk';
import { byLine, checkRecords, recordChecker } from '../record-schema/check-records';
import { linesOfOffsets, utf8Text } from '../record-schema/content-text';
import { inferRecordSchema } from '../record-schema/infer';

function isRecord(value: unknown): value is RecordObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** The offset where each top-level element of the JSON array `text` starts (a scanner that skips strings). */
export function elementStarts(text: string): number[] {
  const starts: number[] = [];
  let depth = 0;
  let expect = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) continue;
    if (expect) {
      if (c !== 93 /* ] */) starts.push(i);
      expect = false;
    }
    if (c === 34 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      depth++;
      if (depth === 1) expect = true;
    } else if (c === 93 || c === 125) depth--;
    else if (c === 44 /* , */ && depth === 1) expect = true;
  }
  return starts;
}

function readArray(text: string): { records: RecordObject[]; invalid: InvalidRecord[]; lineOf: (i: number) => number } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`the content is not valid JSON: ${(err as Error).message}`);
  }
  const elements = value as unknown[];
  let lines: number[] | undefined;
  const lineOfElement = (i: number) => {
    lines ??= linesOfOffsets(text, elementStarts(text));
    return lines[i] ?? 1;
  };
  const records: RecordObject[] = [];
  const indexes: number[] = [];
  const invalid: InvalidRecord[] = [];
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i];
    if (isRecord(element)) {
      records.push(element);
      indexes.push(i);
    } else
      invalid.push({
        line: lineOfElement(i),
        reason: `element ${i} is ${kindOf(element)}, not a record (a JSON object)`,
        raw: rawExcerpt(JSON.stringify(element) ?? String(element)),
      });
  }
  return { records, invalid, lineOf: (r) => lineOfElement(indexes[r]!) };
}

function readLines(text: string): { records: RecordObject[]; invalid: InvalidRecord[]; lineOf: (i: number) => number } {
  const records: RecordObject[] = [];
  const recordLines: number[] = [];
  const invalid: InvalidRecord[] = [];
  let line = 1;
  for (let start = 0; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const source = text.slice(start, end).trim();
    start = end + 1;
    if (source === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (err) {
      invalid.push({ line, reason: `not JSON: ${(err as Error).message}`, raw: rawExcerpt(source) });
      continue;
    }
    if (isRecord(value)) {
      records.push(value);
      recordLines.push(line);
    } else invalid.push({ line, reason: `${kindOf(value)}, not a record (a JSON object)`, raw: rawExcerpt(source) });
  }
  return { records, invalid, lineOf: (r) => recordLines[r]! };
}

/** A whole content that is one JSON object (a failing parse stops at the second record, so this is cheap). */
function wholeObject(text: string): RecordObject | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Reads `text`; with a schema each record is validated against it (the invalid ones move to `invalid`). */
export function readJsonText(text: string, schema: RecordSchema | undefined, check = schema && recordChecker(schema)) {
  const first = /\S/.exec(text);
  const one = first?.[0] === '{' ? wholeObject(text) : undefined;
  const read =
    first === null
      ? { records: [], invalid: [], lineOf: () => 1 }
      : first[0] === '['
        ? readArray(text)
        : one !== undefined
          ? { records: [one], invalid: [], lineOf: () => linesOfOffsets(text, [first.index])[0]! }
          : readLines(text);
  const { records, invalid } = read;
  if (check)
    checkRecords(records, check, invalid, (i, record) => ({ line: read.lineOf(i), raw: JSON.stringify(record) }));
  const set: RecordSet = { schema: schema ?? inferRecordSchema(records), records, invalid: byLine(invalid) };
  return set;
}

/** A JSON record reader: `schema` configured (inline or registry), or undefined to infer it. */
export function jsonRecordReader(schema: RecordSchema | undefined): RecordReader {
  const check = schema && recordChecker(schema);
  return { read: async (content) => readJsonText(utf8Text(content), schema, check) };
}
