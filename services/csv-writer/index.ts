/** CSVRecordSetWriter: writes records as CSV (controller service, kind record-writer). */
import { defineService, RECORD_WRITER, type RecordWriter } from '../../sdk';
import { csvRecordWriter } from './write-csv';

export default defineService({
  type: 'CSVRecordSetWriter',
  description:
    "Writes records as CSV (text/csv): columns in the schema's field order, then any other fields in order of first appearance; nested values as JSON text, null as an empty field.",
  provides: [RECORD_WRITER],
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      header: { type: 'boolean', default: true, description: 'Write a header line with the field names.' },
      delimiter: { type: 'string', minLength: 1, maxLength: 4, default: ',', description: 'Field separator.' },
      quote: {
        type: 'string',
        minLength: 1,
        maxLength: 1,
        default: '"',
        description: 'Quote character (a quote inside a field is doubled).',
      },
    },
  },
  enable: (config): RecordWriter => csvRecordWriter(config),
});
