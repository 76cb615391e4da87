/**
 * Inferring a record schema from the content when none is configured. CSV: careful per-column inference over all
 * rows (integer only when every non-empty value is a plain decimal integer that is safe; number when every one is
 * that or a plain decimal fraction; boolean when every one is true/false; else string), so "007", "0x10", "1e3",
 * " 12" and "+5" stay text, and so does a column with an integer beyond 2^53 (it would lose digits). JSON: the records' own types per field, in order of first appearance.
 */
import type { FieldType, RecordObject, RecordSchema } from '../../sdk';

/** 1 when `s` is /^-?(0|[1-9][0-9]*)$/, 2 when /^-?(0|[1-9][0-9]*)\.[0-9]+$/, else 0 (no regex: it runs per value). */
export function numberShape(s: string): 0 | 1 | 2 {
  const n = s.length;
  let i = s.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  if (i >= n) return 0;
  const first = s.charCodeAt(i);
  if (first === 48 /* 0 */) i++;
  else if (first > 48 && first <= 57) {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
  } else return 0;
  if (i === n) return 1;
  if (s.charCodeAt(i) !== 46 /* . */ || i + 1 === n) return 0;
  for (i++; i < n; i++) if (!isDigit(s.charCodeAt(i))) return 0;
  return 2;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A CSV column's inferred type; `nullable` when some values are null (empty in a typed column, or missing). */
export interface InferredColumn {
  type: 'integer' | 'number' | 'boolean' | 'string';
  nullable: boolean;
}

/** Infers column `col` over every row (a row shorter than the header has the field missing: undefined). */
export function inferColumn(rows: readonly (readonly string[])[], col: number): InferredColumn {
  let integer = true;
  let number = true;
  let boolean = true;
  let any = false;
  let empty = false;
  let missing = false;
  for (let r = 0; r < rows.length; r++) {
    const v = rows[r]![col];
    if (v === undefined) {
      missing = true;
      continue;
    }
    if (v === '') {
      empty = true;
      continue;
    }
    if (!(integer || number || boolean)) continue;
    any = true;
    if (integer || number) {
      const shape = numberShape(v);
      // An integer beyond 2^53 would lose digits as a number (ids): it keeps the column a string. Up to 15
      // digits every integer is safe, so only longer ones are converted to check.
      if (shape === 1 && v.length > 15 && !Number.isSafeInteger(Number(v))) integer = number = false;
      else if (shape !== 1) integer = false;
      if (shape === 0) number = false;
    }
    if (boolean && v !== 'true' && v !== 'false') boolean = false;
  }
  const type = !any ? 'string' : integer ? 'integer' : number ? 'number' : boolean ? 'boolean' : 'string';
  return { type, nullable: missing || (empty && type !== 'string') };
}

/** The JSON Schema property of an inferred column. */
export function columnProperty(column: InferredColumn): { type: FieldType | FieldType[] } {
  return { type: column.nullable ? [column.type, 'null'] : column.type };
}

/** The JSON type of a value ("integer" for whole numbers). */
export function fieldTypeOf(value: unknown): FieldType {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'number';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    default:
      return 'object';
  }
}

/**
 * The schema of `records` as they are: fields in order of first appearance; per field its one type, with "null"
 * when some values are null; integer and number together make number; other mixes (or only nulls) leave the
 * field's type open ({}).
 */
export function inferRecordSchema(records: readonly RecordObject[]): RecordSchema {
  const seen = new Map<string, Set<FieldType>>();
  for (const record of records)
    for (const key in record) {
      const types = seen.get(key);
      if (types === undefined) seen.set(key, new Set([fieldTypeOf(record[key])]));
      else types.add(fieldTypeOf(record[key]));
    }
  const properties: RecordSchema['properties'] = {};
  for (const [key, types] of seen) {
    const nullable = types.delete('null');
    if (types.has('integer') && types.has('number')) types.delete('integer');
    const [only] = types;
    properties[key] = types.size === 1 && only ? { type: nullable ? [only, 'null'] : only } : {};
  }
  return { type: 'object', properties };
}
