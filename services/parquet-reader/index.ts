/** ParquetReader: reads the rows of a Parquet file as records (controller service, kind record-reader). */
import { defineService, RECORD_READER, type RecordReader } from '../../sdk';
import {
  resolveSchema,
  type SchemaAccessConfig,
  schemaAccessIssues,
  schemaAccessProperties,
} from '../record-schema/schema-access';
import { parquetRecordReader } from './read-parquet';

export default defineService({
  type: 'ParquetReader',
  description:
    'Reads every row of a Parquet file as a record; the schema comes from the file (or is configured). INT64 values beyond 2^53 become decimal text, timestamps ISO 8601 text. Content that is not Parquet goes to failure.',
  provides: [RECORD_READER],
  config: { type: 'object', additionalProperties: false, properties: { ...schemaAccessProperties } },
  validate: (config) => schemaAccessIssues(config as SchemaAccessConfig),
  enable: (config, ctx): RecordReader => parquetRecordReader(resolveSchema(config as SchemaAccessConfig, ctx.services)),
});
