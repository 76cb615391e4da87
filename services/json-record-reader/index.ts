/**
 * JsonRecordReader: reads a JSON array of objects or JSON lines into records (controller service, kind
 * record-reader). The schema is inferred from the records, or configured inline or in a JsonSchemaRegistry.
 */
import { defineService, RECORD_READER, type RecordReader } from '../../sdk';
import {
  resolveSchema,
  type SchemaAccessConfig,
  schemaAccessIssues,
  schemaAccessProperties,
} from '../record-schema/schema-access';
import { jsonRecordReader } from './read-json';

export default defineService({
  type: 'JsonRecordReader',
  description:
    'Reads records from JSON: an array of objects, or JSON lines (one object per line; detected by the first character). A line or element that is not an object, or a record the schema refuses, is an invalid record with its line.',
  provides: [RECORD_READER],
  config: { type: 'object', additionalProperties: false, properties: { ...schemaAccessProperties } },
  validate: (config) => schemaAccessIssues(config as SchemaAccessConfig),
  enable: (config, ctx): RecordReader => jsonRecordReader(resolveSchema(config as SchemaAccessConfig, ctx.services)),
});
