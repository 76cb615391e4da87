/**
 * A lookup file's text as a key → record map: CSV with a header line (every value text), or JSON (an array of
 * objects, or JSON lines). Throws naming the line when the file does not parse.
 */
import { parse } from 'csv-parse/sync';
import type { RecordObject } from '../../sdk';

export type TableFormat = 'csv' | 'json';

export interface LookupTable {
  map: Map<string, RecordObject>;
  /** Records without a value in the key field (not in the map). */
  keyless: number;
}

const isRecord = (v: unknown): v is RecordObject => v !== null && typeof v === 'object' && !Array.isArray(v);

function jsonRecords(text: string): RecordObject[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) {
    const value = JSON.parse(trimmed) as unknown;
    if (!Array.isArray(value)) throw new Error('a JSON lookup file is an array of objects or JSON lines');
    return value.map((v, i) => {
      if (!isRecord(v)) throw new Error(`element ${i} is ${JSON.stringify(v)}, not an object`);
      return v;
    });
  }
  const records: RecordObject[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new Error(`line ${i + 1}: ${(err as Error).message}`);
    }
    if (!isRecord(value)) throw new Error(`line ${i + 1} is ${JSON.stringify(value)}, not an object`);
    records.push(value);
  });
  return records;
}

export function parseTable(text: string, format: TableFormat, keyField: string, delimiter = ','): LookupTable {
  const records =
    format === 'csv'
      ? (parse(text, { columns: true, bom: true, skip_empty_lines: true, delimiter }) as RecordObject[])
      : jsonRecords(text);
  const map = new Map<string, RecordObject>();
  let keyless = 0;
  for (const record of records) {
    const key = record[keyField];
    if (key === undefined || key === null || key === '' || typeof key === 'object') keyless++;
    else map.set(String(key), record); // a later record of the same key wins
  }
  return { map, keyless };
}
