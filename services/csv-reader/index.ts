/**
 * CSVReader: reads CSV into records (controller service, kind record-reader): a header line (or column1..N),
 * careful type inference over all rows or a configured schema, and every row that does not fit (more fields than
 * the header, fewer unless missingFields is "null", an unclosed quote, a value the schema refuses) an invalid
 * record with its line, the rest read.
 */
import { defineService, RECORD_READER, type RecordReader } from '../../sdk';
import {
  resolveSchema,
  type SchemaAccessConfig,
  schemaAccessIssues,
  schemaAccessProperties,
} from '../record-schema/schema-access';
import { csvRecordReader } from './read-csv';

const char = (description: string, fallback: string) =>
  ({ type: 'string', minLength: 1, maxLength: 1, default: fallback, description }) as const;

export default defineService({
  type: 'CSVReader',
  description:
    'Reads CSV into records: a header line names the fields, types are inferred carefully over all rows (or come from a schema); a row that does not fit the header is an invalid record with its line, never cut or dropped.',
  provides: [RECORD_READER],
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      header: {
        type: 'boolean',
        default: true,
        description:
          "The first line names the fields (off: fields are column1..N, or the schema's properties in order).",
      },
      delimiter: { type: 'string', minLength: 1, maxLength: 4, default: ',', description: 'Field separator.' },
      quote: char('Quote character.', '"'),
      escape: char('Escapes a quote inside a quoted field (" doubles it).', '"'),
      missingFields: {
        enum: ['invalid', 'null'],
        default: 'invalid',
        description:
          'A row with fewer fields than the header: invalid (an invalid record), or null (the missing fields are null). A row with more fields is always invalid.',
      },
      ...schemaAccessProperties,
    },
  },
  validate: (config) => schemaAccessIssues(config as SchemaAccessConfig),
  enable: (config, ctx): RecordReader =>
    csvRecordReader({
      header: config.header,
      delimiter: config.delimiter,
      quote: config.quote,
      escape: config.escape,
      missingFields: config.missingFields,
      schema: resolveSchema(config as SchemaAccessConfig, ctx.services),
    }),
});
