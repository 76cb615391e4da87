/**
 * Reading CSV records: rows (csv-rows.ts) → the header's fields → records, typed by careful inference over all
 * rows or by the configured schema (converted, then validated with ajv). A row with more fields than the header is
 * always invalid; one with fewer is invalid or has the missing fields null (`missingFields`). Inferred columns:
 * an empty field is null in a column typed integer, number or boolean, and "" in a string column.
 */
import type { InvalidRecord, RecordObject, RecordReader, RecordSchema, RecordSet } from '../../sdk';
import { rawExcerpt } from '../../sdk';
import { byLine, checkRecords, recordChecker } from '../record-schema/check-records';
import { type Coerce, coercerFor, Refusal } from '../record-schema/coerce';
import { utf8Text } from '../record-schema/content-text';
import { columnProperty, type InferredColumn, inferColumn } from '../record-schema/infer';
import { type CsvSyntax, parseCsvRows } from './csv-rows';
import { recordBuilder } from './record-builder';

export interface CsvReaderOptions extends CsvSyntax {
  /** The first row names the fields; false: fields are named column1..N (or by the schema's properties). */
  header: boolean;
  /** A row with fewer fields than the header: invalid, or the missing fields null. */
  missingFields: 'invalid' | 'null';
  /** The configured schema; undefined infers one. */
  schema?: RecordSchema;
  /** Inference: careful (true, the default) or every field a string (ConvertRecord's `inferTypes: false`). */
  inferTypes?: boolean;
}

/** The field names: the header row's (empty → columnN; a repeated name is an error), or from the schema. */
function fieldNames(headerRow: readonly string[] | undefined, width: number, schema?: RecordSchema): string[] {
  if (headerRow === undefined) {
    const fromSchema = schema ? Object.keys(schema.properties) : [];
    return fromSchema.length > 0 ? fromSchema : Array.from({ length: width }, (_, i) => `column${i + 1}`);
  }
  const names = headerRow.map((name, i) => (name === '' ? `column${i + 1}` : name));
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const before = seen.get(name);
    if (before !== undefined)
      throw new Error(`the header names field ${JSON.stringify(name)} twice (columns ${before + 1} and ${i + 1})`);
    seen.set(name, i);
  });
  return names;
}

export function readCsvText(
  text: string,
  options: CsvReaderOptions,
  check = options.schema && recordChecker(options.schema),
): RecordSet {
  const parsed = parseCsvRows(text, options);
  const { rows, lineOf } = parsed;
  const invalid: InvalidRecord[] = parsed.broken;
  const first = options.header ? 1 : 0;
  const names = fieldNames(options.header ? rows[0] : undefined, rows[0]?.length ?? 0, options.schema);
  const width = names.length;
  const against = options.header ? 'the header has' : options.schema ? 'the schema has' : 'the first row has';
  const fits = (row: readonly string[]) =>
    row.length === width || (row.length < width && options.missingFields === 'null');
  // The rows that fit the header; `sourceOf(r)` is good row r's index in `rows` (for its line and raw text).
  let allFit = true;
  for (let i = first; i < rows.length && allFit; i++) allFit = fits(rows[i]!);
  let good: string[][];
  let sourceOf: (r: number) => number;
  if (allFit) {
    good = first === 0 ? rows : rows.slice(first);
    sourceOf = (r) => r + first;
  } else {
    good = [];
    const goodIndex: number[] = [];
    for (let i = first; i < rows.length; i++) {
      const row = rows[i]!;
      if (fits(row)) {
        good.push(row);
        goodIndex.push(i);
      } else
        invalid.push({
          line: lineOf(i),
          reason: `${row.length} field${row.length === 1 ? '' : 's'}, ${against} ${width}`,
          raw: rawExcerpt(parsed.raw(i)),
        });
    }
    sourceOf = (r) => goodIndex[r]!;
  }
  let records: RecordObject[];
  let schema: RecordSchema;
  if (options.schema === undefined) {
    const columns = names.map(
      (_, c): InferredColumn =>
        options.inferTypes === false
          ? { type: 'string', nullable: good.some((row) => row.length <= c) }
          : inferColumn(good, c),
    );
    const build = recordBuilder(names, columns);
    records = new Array(good.length);
    for (let r = 0; r < good.length; r++) records[r] = build(good[r]!);
    schema = { type: 'object', properties: Object.fromEntries(names.map((n, c) => [n, columnProperty(columns[c]!)])) };
  } else {
    schema = options.schema;
    const coercers: Coerce[] = names.map((name) => coercerFor(name, schema.properties[name]));
    records = [];
    const recordSource: number[] = [];
    for (let r = 0; r < good.length; r++) {
      const row = good[r]!;
      const record: RecordObject = {};
      let refused: Refusal | undefined;
      for (let c = 0; c < width; c++) {
        const value = coercers[c]!(row[c]);
        if (value instanceof Refusal) {
          refused = value;
          break;
        }
        record[names[c]!] = value;
      }
      const i = sourceOf(r);
      if (refused) invalid.push({ line: lineOf(i), reason: refused.reason, raw: rawExcerpt(parsed.raw(i)) });
      else {
        records.push(record);
        recordSource.push(i);
      }
    }
    if (check)
      checkRecords(records, check, invalid, (r) => ({
        line: lineOf(recordSource[r]!),
        raw: parsed.raw(recordSource[r]!),
      }));
  }
  return { schema, records, invalid: byLine(invalid) };
}

/** A CSV record reader with these options (the CSVReader service's and ConvertRecord's inline settings). */
export function csvRecordReader(options: CsvReaderOptions): RecordReader {
  const check = options.schema && recordChecker(options.schema);
  return { read: async (content) => readCsvText(utf8Text(content), options, check) };
}
