/** Writing records as JSON lines or one JSON array, fields in the writer's order (schema first, then the rest). */
import type { RecordObject, RecordSchema, RecordWriter } from '../../sdk';
import { fieldOrder } from '../record-schema/field-order';

export type JsonFormat = 'json-lines' | 'json-array';

export const JSON_MIME: Record<JsonFormat, string> = {
  'json-lines': 'application/x-ndjson',
  'json-array': 'application/json',
};

/** `record` with its keys in `fields` order (absent fields stay absent); itself when already in that order. */
function ordered(record: RecordObject, fields: readonly string[]): RecordObject {
  let i = 0;
  let inOrder = true;
  for (const key in record) {
    while (i < fields.length && fields[i] !== key) i++;
    if (i === fields.length) {
      inOrder = false;
      break;
    }
  }
  if (inOrder) return record;
  const out: RecordObject = {};
  for (const field of fields) if (field in record) out[field] = record[field];
  return out;
}

export function writeJsonRecords(records: readonly RecordObject[], schema: RecordSchema, format: JsonFormat): string {
  const fields = fieldOrder(records, schema);
  const texts = records.map((r) => JSON.stringify(ordered(r, fields)));
  if (format === 'json-array') return `[${texts.join(',')}]`;
  return texts.length === 0 ? '' : `${texts.join('\n')}\n`;
}

export function jsonRecordWriter(format: JsonFormat): RecordWriter {
  return {
    mimeType: JSON_MIME[format],
    write: async (records, schema) => Buffer.from(writeJsonRecords(records, schema, format)),
  };
}
