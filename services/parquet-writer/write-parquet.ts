/**
 * Writing records as Parquet (hyparquet-writer): one column per field in the writer's order, every column
 * nullable. Column types from the schema: integer → INT32 when every value fits, else INT64; number → DOUBLE;
 * boolean → BOOLEAN; string → STRING; object/array (or a field whose type is open or mixed) → JSON text. A
 * field without a schema type takes the type of its values. A value that does not fit its column throws, naming
 * the record and field (the processor routes the FlowFile to failure).
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { FieldType, RecordObject, RecordSchema, RecordWriter } from '../../sdk';
import { typesOf } from '../record-schema/coerce';
import { fieldOrder } from '../record-schema/field-order';
import { fieldTypeOf } from '../record-schema/infer';

export const PARQUET_MIME = 'application/vnd.apache.parquet';

type ColumnType = 'INT32' | 'INT64' | 'DOUBLE' | 'BOOLEAN' | 'STRING' | 'JSON';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** The one non-null type of a field: from the schema, else from its values; undefined when open or mixed. */
function fieldType(values: readonly unknown[], declared: FieldType[] | undefined): FieldType | undefined {
  const types = new Set(declared ?? values.map(fieldTypeOf));
  types.delete('null');
  if (types.has('integer') && types.has('number')) types.delete('integer');
  // What ParquetReader gives for an INT64 column with values beyond 2^53: integers and their decimal text.
  if (types.size === 2 && types.has('integer') && types.has('string') && values.every(isIntegerValue)) return 'integer';
  return types.size === 1 ? [...types][0] : undefined;
}

function isIntegerValue(v: unknown): boolean {
  return v === null || v === undefined || Number.isInteger(v) || (typeof v === 'string' && /^-?[0-9]+$/.test(v));
}

function columnType(values: readonly unknown[], type: FieldType | undefined): ColumnType {
  switch (type) {
    case 'integer':
      return values.every(
        (v) => v === null || v === undefined || (typeof v === 'number' && v >= INT32_MIN && v <= INT32_MAX),
      )
        ? 'INT32'
        : 'INT64';
    case 'number':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'string':
      return 'STRING';
    default:
      return 'JSON';
  }
}

/** The value as the column stores it; throws naming record and field when it does not fit. */
function columnValue(value: unknown, column: ColumnType, field: string, index: number): unknown {
  if (value === null || value === undefined) return null;
  const misfit = () =>
    new Error(
      `record ${index + 1}, field ${JSON.stringify(field)}: ${JSON.stringify(value)} does not fit a ${column} column`,
    );
  switch (column) {
    case 'INT32':
      if (!Number.isInteger(value)) throw misfit();
      return value;
    case 'INT64':
      if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
      if (typeof value === 'string' && /^-?[0-9]+$/.test(value)) {
        const big = BigInt(value);
        if (big === BigInt.asIntN(64, big)) return big;
      }
      throw misfit();
    case 'DOUBLE':
      if (typeof value !== 'number') throw misfit();
      return value;
    case 'BOOLEAN':
      if (typeof value !== 'boolean') throw misfit();
      return value;
    case 'STRING':
      if (typeof value !== 'string') throw misfit();
      return value;
    default:
      return value;
  }
}

export function writeParquet(records: readonly RecordObject[], schema: RecordSchema): Buffer {
  const fields = fieldOrder(records, schema);
  const columnData = fields.map((name) => {
    const values = records.map((r) => r[name]);
    const type = columnType(values, fieldType(values, typesOf(schema.properties[name])));
    return { name, type, data: values.map((v, i) => columnValue(v, type, name, i)), nullable: true };
  });
  const buffer = parquetWriteBuffer({ columnData } as Parameters<typeof parquetWriteBuffer>[0]);
  return Buffer.from(buffer);
}

export function parquetRecordWriter(): RecordWriter {
  return { mimeType: PARQUET_MIME, write: async (records, schema) => writeParquet(records, schema) };
}
