/** ParquetRecordSetWriter: writes records as one Parquet file (controller service, kind record-writer). */
import { defineService, RECORD_WRITER, type RecordWriter } from '../../sdk';
import { parquetRecordWriter } from './write-parquet';

export default defineService({
  type: 'ParquetRecordSetWriter',
  description:
    'Writes records as one Parquet file (application/vnd.apache.parquet): a nullable column per field, typed by the schema (integer → INT32/INT64, number → DOUBLE, boolean, string; objects and arrays as JSON).',
  provides: [RECORD_WRITER],
  config: { type: 'object', additionalProperties: false, properties: {} },
  enable: (): RecordWriter => parquetRecordWriter(),
});
