/**
 * Writing records as CSV with a hand loop (several times faster than csv-stringify for a million records): the
 * writer's field order, a field quoted only when it holds the delimiter, the quote or a line break (quotes
 * doubled), nested values as JSON text, null and missing as empty fields, "\n" after every row.
 */
import type { RecordObject, RecordSchema, RecordWriter } from '../../sdk';
import { fieldOrder } from '../record-schema/field-order';

export interface CsvWriterOptions {
  header: boolean;
  delimiter: string;
  quote: string;
}

function fieldText(value: unknown, o: CsvWriterOptions, doubled: string): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (text.includes(o.quote)) return `${o.quote}${text.replaceAll(o.quote, doubled)}${o.quote}`;
  if (text.includes(o.delimiter) || text.includes('\n') || text.includes('\r')) return `${o.quote}${text}${o.quote}`;
  return text;
}

export function writeCsvRecords(records: readonly RecordObject[], schema: RecordSchema, o: CsvWriterOptions): string {
  const fields = fieldOrder(records, schema);
  const doubled = o.quote + o.quote;
  const lines: string[] = [];
  if (o.header && fields.length > 0) lines.push(fields.map((f) => fieldText(f, o, doubled)).join(o.delimiter));
  const width = fields.length;
  for (const record of records) {
    let line = '';
    for (let c = 0; c < width; c++) {
      if (c > 0) line += o.delimiter;
      line += fieldText(record[fields[c]!], o, doubled);
    }
    lines.push(line);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export function csvRecordWriter(options: CsvWriterOptions): RecordWriter {
  return {
    mimeType: 'text/csv',
    write: async (records, schema) => Buffer.from(writeCsvRecords(records, schema, options)),
  };
}
