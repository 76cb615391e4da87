import { defineProcessor, failWith } from '../../sdk';
import { decodeText } from '../text';
import { parseCsv, parseJsonRecords, type RecordValue, writeCsv, writeJson } from './records';

const MIME = { csv: 'text/csv', 'json-array': 'application/json', 'json-lines': 'application/x-ndjson' } as const;

export default defineProcessor({
  type: 'ConvertRecord',
  category: 'transform',
  description:
    'Converts records between CSV and JSON (an array or JSON lines), with or without a CSV header line; record.count is set.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      inputFormat: {
        enum: ['csv', 'json'],
        default: 'csv',
        description: 'csv, or json: an array of records, one record, or one record per line (detected).',
      },
      outputFormat: {
        enum: ['json-array', 'json-lines', 'csv'],
        default: 'json-lines',
        description: 'json-array: one JSON array; json-lines: one JSON record per line; csv.',
      },
      header: {
        type: 'boolean',
        default: true,
        description:
          'CSV has a header line: read, it names the fields (off, records are arrays); written, it lists the columns.',
      },
      delimiter: { type: 'string', minLength: 1, maxLength: 4, default: ',', description: 'CSV field separator.' },
      quote: { type: 'string', minLength: 1, maxLength: 1, default: '"', description: 'CSV quote character.' },
      inferTypes: {
        type: 'boolean',
        default: false,
        description: 'Reading CSV, turn numeric fields into JSON numbers (off, every field is a string).',
      },
      relaxColumnCount: {
        type: 'boolean',
        default: false,
        description: 'Accept CSV rows with more or fewer fields than the header (off, such content goes to failure).',
      },
      batchSize: { type: 'integer', minimum: 1, maximum: 1000, default: 20, description: 'FlowFiles per session.' },
    },
  },
  relationships: [
    { name: 'success', description: 'The converted content, with record.count and mime.type.' },
    {
      name: 'failure',
      description:
        'Content that does not parse in the input format (or is not UTF-8); the reason is in "convert.error".',
    },
  ],
  async onTrigger(session, { config }) {
    for (const ff of await session.get(config.batchSize)) {
      let records: RecordValue[];
      let text: string;
      try {
        const input = decodeText(ff.content, 'utf8');
        records = config.inputFormat === 'csv' ? parseCsv(input, config) : parseJsonRecords(input);
        text = config.outputFormat === 'csv' ? writeCsv(records, config) : writeJson(records, config.outputFormat);
      } catch (err) {
        failWith(session, ff, 'convert.error', err);
        continue;
      }
      const out = session.write(ff, text);
      session.transfer(
        session.putAttributes(out, { 'record.count': String(records.length), 'mime.type': MIME[config.outputFormat] }),
        'success',
      );
    }
  },
});
