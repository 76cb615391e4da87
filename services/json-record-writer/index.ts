/** JsonRecordSetWriter: writes records as JSON lines or a JSON array (controller service, kind record-writer). */
import { defineService, RECORD_WRITER, type RecordWriter } from '../../sdk';
import { jsonRecordWriter } from './write-json';

export default defineService({
  type: 'JsonRecordSetWriter',
  description:
    "Writes records as JSON lines (application/x-ndjson) or one JSON array (application/json); fields in the schema's order, then any others in order of first appearance.",
  provides: [RECORD_WRITER],
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      format: {
        enum: ['json-lines', 'json-array'],
        default: 'json-lines',
        description: 'json-lines: one record per line; json-array: one JSON array of records.',
      },
    },
  },
  enable: (config): RecordWriter => jsonRecordWriter(config.format),
});
