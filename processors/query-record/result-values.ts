/**
 * A DuckDB result as records: each value as the JSON value a writer can write, and the output schema from the
 * result's column types.
 *
 * - BIGINT, HUGEINT and the other integers: a number when it is a safe integer (|n| < 2^53), else its decimal
 *   text (a string), so no digit is lost.
 * - DECIMAL: a number when its text has at most 15 significant digits (then the double holds it exactly and
 *   writes back the same digits), else its exact decimal text. Sums of money stay exact with
 *   `SUM(CAST(amount AS DECIMAL(18,2)))`; a DOUBLE sum is a double.
 * - DATE: "2024-01-31"; TIMESTAMP: ISO 8601 in UTC ("2024-01-31T12:00:00.123Z"); TIMESTAMP WITH TIME ZONE keeps
 *   its offset; TIME, INTERVAL, UUID, BLOB and the rest: DuckDB's text for them.
 * - LIST / ARRAY: arrays; STRUCT: objects; MAP: an object when its keys are strings, else [{key, value}].
 * - JSON columns (object and array fields of the input, or `::JSON`): the parsed value.
 */
import {
  DuckDBArrayValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { FieldType, RecordObject, RecordSchema } from '../../sdk';

const MAX_EXACT_DIGITS = 15;

/** A decimal's text as a JSON number when it round-trips exactly, else the text. */
export function decimalValue(text: string): number | string {
  const digits = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '');
  const significant = digits.replace(/0+$/, '');
  return significant.length <= MAX_EXACT_DIGITS ? Number(text) : text;
}

function integerValue(n: bigint): number | string {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}

function isoTimestamp(text: string, zone: boolean): string {
  const iso = text.replace(' ', 'T');
  if (!zone) return `${iso}Z`;
  return iso.replace(/([+-]\d\d)$/, '$1:00');
}

/** One DuckDB value as JSON (nested values convert recursively). */
export function jsonValue(value: DuckDBValue): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'bigint':
      return integerValue(value);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'string':
    case 'boolean':
      return value;
  }
  if (value instanceof DuckDBDecimalValue) return decimalValue(value.toString());
  if (value instanceof DuckDBDateValue) return value.toString();
  if (value instanceof DuckDBTimestampValue) return isoTimestamp(value.toString(), false);
  if (value instanceof DuckDBTimestampTZValue) return isoTimestamp(value.toString(), true);
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) return value.items.map(jsonValue);
  if (value instanceof DuckDBStructValue) {
    const out: RecordObject = {};
    for (const [k, v] of Object.entries(value.entries)) out[k] = jsonValue(v);
    return out;
  }
  if (value instanceof DuckDBMapValue) {
    if (value.entries.every((e) => typeof e.key === 'string')) {
      const out: RecordObject = {};
      for (const e of value.entries) out[e.key as string] = jsonValue(e.value);
      return out;
    }
    return value.entries.map((e) => ({ key: jsonValue(e.key), value: jsonValue(e.value) }));
  }
  return String(value);
}

const isJson = (type: DuckDBType) => type.typeId === DuckDBTypeId.VARCHAR && type.alias === 'JSON';

/** Converts one result column, parsing JSON columns. */
export function columnValues(type: DuckDBType, values: readonly DuckDBValue[]): unknown[] {
  if (isJson(type)) return values.map((v) => (v === null ? null : JSON.parse(String(v))));
  if (type.typeId === DuckDBTypeId.VARCHAR || type.typeId === DuckDBTypeId.BOOLEAN) return values as unknown[];
  return values.map(jsonValue);
}

function fieldType(type: DuckDBType): { type?: FieldType | FieldType[]; format?: string } {
  if (isJson(type)) return {};
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { type: ['boolean', 'null'] };
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
      return { type: ['integer', 'null'] };
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return { type: ['integer', 'string', 'null'] };
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return { type: ['number', 'null'] };
    case DuckDBTypeId.DECIMAL:
      return { type: ['number', 'string', 'null'] };
    case DuckDBTypeId.DATE:
      return { type: ['string', 'null'], format: 'date' };
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { type: ['string', 'null'], format: 'date-time' };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return { type: ['array', 'null'] };
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
      return { type: ['object', 'null'] };
    default:
      return { type: ['string', 'null'] };
  }
}

/**
 * The result as records and their schema. Columns are named by DuckDB's deduplicated names (a second `n` is
 * `n_1`), so no value is hidden behind another.
 */
export function resultRecords(
  names: readonly string[],
  types: readonly DuckDBType[],
  columns: readonly (readonly DuckDBValue[])[],
): { schema: RecordSchema; records: RecordObject[] } {
  const schema: RecordSchema = { type: 'object', properties: {} };
  for (let c = 0; c < names.length; c++) schema.properties[names[c]!] = fieldType(types[c]!);
  const converted = columns.map((values, c) => columnValues(types[c]!, values));
  const rows = converted[0]?.length ?? 0;
  const records: RecordObject[] = new Array(rows);
  for (let r = 0; r < rows; r++) {
    const record: RecordObject = {};
    for (let c = 0; c < names.length; c++) record[names[c]!] = converted[c]![r];
    records[r] = record;
  }
  return { schema, records };
}
