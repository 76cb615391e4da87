/**
 * Reading Parquet records (hyparquet): every row a record, `line` = its 1-based row number. Values are made JSON:
 * an INT64 (BigInt) is a number when it is a safe integer, else its decimal text (a string: no digit is lost);
 * dates and timestamps are ISO 8601 text; plain binary is base64. The schema comes from the Parquet schema (an
 * OPTIONAL column is nullable) unless one is configured, in which case each record is validated against it.
 */
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import type { FieldType, RecordObject, RecordReader, RecordSchema, RecordSet } from '../../sdk';
import { byLine, checkRecords, recordChecker } from '../record-schema/check-records';

type SchemaElement = ReturnType<typeof parquetSchema>['element'];
type SchemaTree = ReturnType<typeof parquetSchema>;

/** A Parquet value as JSON data. */
export function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map(jsonValue);
  const out: RecordObject = {};
  for (const [k, v] of Object.entries(value)) out[k] = jsonValue(v);
  return out;
}

/** The record schema property of one top-level Parquet column. */
function columnProperty(node: SchemaTree): { type?: FieldType | FieldType[]; format?: string } {
  const e: SchemaElement = node.element;
  const nullable = e.repetition_type === 'OPTIONAL';
  const repeated = e.repetition_type === 'REPEATED';
  const converted = e.converted_type;
  const logical = e.logical_type?.type;
  let type: FieldType | undefined;
  let format: string | undefined;
  if (node.children.length > 0) type = converted === 'LIST' || logical === 'LIST' ? 'array' : 'object';
  else if (converted === 'JSON' || logical === 'JSON') type = undefined;
  else if (converted === 'DATE' || logical === 'DATE') {
    type = 'string';
    format = 'date';
  } else if (converted?.startsWith('TIMESTAMP') || logical === 'TIMESTAMP' || e.type === 'INT96') {
    type = 'string';
    format = 'date-time';
  } else if (converted === 'DECIMAL' || logical === 'DECIMAL') type = 'number';
  else
    switch (e.type) {
      case 'BOOLEAN':
        type = 'boolean';
        break;
      case 'INT32':
        type = 'integer';
        break;
      case 'INT64':
        type = 'integer';
        break;
      case 'FLOAT':
      case 'DOUBLE':
        type = 'number';
        break;
      default:
        type = 'string';
    }
  if (repeated) return { type: 'array' };
  if (type === undefined) return {};
  return { type: nullable ? [type, 'null'] : type, ...(format ? { format } : {}) };
}

/** The record schema of a Parquet schema; an INT64 column holding a value beyond 2^53 also allows a string. */
function schemaOf(tree: SchemaTree, records: readonly RecordObject[]): RecordSchema {
  const properties: RecordSchema['properties'] = {};
  for (const child of tree.children) {
    const name = child.element.name;
    const property = columnProperty(child);
    if (child.element.type === 'INT64' && property.type && records.some((r) => typeof r[name] === 'string')) {
      const types = Array.isArray(property.type) ? property.type : [property.type];
      property.type = [...types, 'string'];
    }
    properties[name] = property;
  }
  return { type: 'object', properties };
}

export async function readParquet(
  content: Buffer,
  schema: RecordSchema | undefined,
  check = schema && recordChecker(schema),
): Promise<RecordSet> {
  const file = content.buffer.slice(content.byteOffset, content.byteOffset + content.byteLength) as ArrayBuffer;
  let metadata: ReturnType<typeof parquetMetadata>;
  try {
    metadata = parquetMetadata(file);
  } catch (err) {
    throw new Error(`the content is not Parquet: ${(err as Error).message}`);
  }
  const rows = await parquetReadObjects({ file, metadata });
  const records = rows.map((row) => jsonValue(row) as RecordObject);
  const invalid: RecordSet['invalid'] = [];
  if (check) checkRecords(records, check, invalid, (i, record) => ({ line: i + 1, raw: JSON.stringify(record) }));
  return { schema: schema ?? schemaOf(parquetSchema(metadata), records), records, invalid: byLine(invalid) };
}

export function parquetRecordReader(schema: RecordSchema | undefined): RecordReader {
  const check = schema && recordChecker(schema);
  return { read: (content) => readParquet(content, schema, check) };
}
