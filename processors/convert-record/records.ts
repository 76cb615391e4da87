/** Records in and out of CSV (csv-parse / csv-stringify) and JSON (an array, one object, or JSON lines). */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

export type RecordValue = Record<string, unknown> | unknown[];

export interface CsvOptions {
  header: boolean;
  delimiter: string;
  quote: string;
  inferTypes: boolean;
  relaxColumnCount: boolean;
}

export function parseCsv(text: string, o: CsvOptions): RecordValue[] {
  return parse(text, {
    columns: o.header,
    delimiter: o.delimiter,
    quote: o.quote,
    cast: o.inferTypes,
    bom: true,
    skip_empty_lines: true,
    relax_column_count: o.relaxColumnCount,
  }) as RecordValue[];
}

/** A JSON array, a single object, or one JSON value per line. */
export function parseJsonRecords(text: string): RecordValue[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) {
    const value = JSON.parse(trimmed) as unknown;
    if (Array.isArray(value)) return value.map((v, i) => asRecord(v, `element ${i}`));
  }
  const lines = trimmed.split(/\r?\n/);
  if (lines.length === 1) return [asRecord(JSON.parse(trimmed), 'the content')];
  return lines
    .map((line, i) => ({ line: line.trim(), i }))
    .filter(({ line }) => line !== '')
    .map(({ line, i }) => {
      try {
        return asRecord(JSON.parse(line), `line ${i + 1}`);
      } catch (err) {
        throw new Error(`line ${i + 1}: ${(err as Error).message}`);
      }
    });
}

function asRecord(value: unknown, where: string): RecordValue {
  if (value !== null && typeof value === 'object') return value as RecordValue;
  throw new Error(`${where} is ${JSON.stringify(value)}, not an object or array`);
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** CSV from records; object records give columns in order of first appearance. */
export function writeCsv(records: readonly RecordValue[], o: CsvOptions): string {
  if (records.length === 0) return '';
  const columns: string[] = [];
  const known = new Set<string>();
  for (const r of records)
    if (!Array.isArray(r))
      for (const key of Object.keys(r))
        if (!known.has(key)) {
          known.add(key);
          columns.push(key);
        }
  const rows = records.map((r) => (Array.isArray(r) ? r.map(cell) : columns.map((c) => cell(r[c]))));
  const withHeader = o.header && columns.length > 0 ? [columns, ...rows] : rows;
  return stringify(withHeader, { delimiter: o.delimiter, quote: o.quote });
}

export function writeJson(records: readonly RecordValue[], format: 'json-array' | 'json-lines'): string {
  if (format === 'json-array') return JSON.stringify(records);
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}
