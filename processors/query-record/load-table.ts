/**
 * Records into DuckDB: the FLOWFILE table's columns typed from the reader's record schema, filled column by
 * column through the appender in data chunks (DuckDB's vector size), which is what makes a million records a
 * second or so rather than a row at a time. A string column with few distinct values loads as an ENUM behind a
 * view (dictionary.ts).
 *
 * | schema type              | column  | value                                                   |
 * |--------------------------|---------|---------------------------------------------------------|
 * | integer                  | BIGINT  | the number                                              |
 * | number (or integer+number) | DOUBLE | the number                                             |
 * | boolean                  | BOOLEAN |                                                         |
 * | string                   | VARCHAR |                                                         |
 * | object, array            | JSON    | the JSON text (`col->>'field'`); results parse it back  |
 * | mixed or none            | VARCHAR | a string as is, anything else as its JSON text          |
 */
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBType,
  VARCHAR,
} from '@duckdb/node-api';
import type { RecordObject, RecordSchema } from '../../sdk';
import { dictionaryOf } from './dictionary';

type ColumnKind = 'integer' | 'number' | 'boolean' | 'string' | 'json' | 'mixed';

export interface Column {
  name: string;
  kind: ColumnKind;
}

const SQL_TYPE: Record<ColumnKind, string> = {
  integer: 'BIGINT',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
  string: 'VARCHAR',
  json: 'JSON',
  mixed: 'VARCHAR',
};

const CHUNK_TYPE: Record<ColumnKind, DuckDBType> = {
  integer: BIGINT,
  number: DOUBLE,
  boolean: BOOLEAN,
  string: VARCHAR,
  json: VARCHAR,
  mixed: VARCHAR,
};

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

function kindOf(type: unknown): ColumnKind {
  const types = (Array.isArray(type) ? type : type === undefined ? [] : [type]).filter((t) => t !== 'null');
  if (types.length === 1) {
    const t = types[0];
    if (t === 'integer' || t === 'number' || t === 'boolean' || t === 'string') return t;
    if (t === 'object' || t === 'array') return 'json';
  }
  if (types.length === 2 && types.includes('integer') && types.includes('number')) return 'number';
  return 'mixed';
}

/** The table's columns: the schema's properties in order (fields outside the schema are not columns). */
export function columnsOf(schema: RecordSchema): Column[] {
  return Object.entries(schema.properties ?? {}).map(([name, p]) => ({ name, kind: kindOf(p.type) }));
}

/** A SQL identifier, quoted. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A value that does not fit its column: the record (1-based, in reader order) and field are named. */
export class FieldValueError extends Error {}

function converter(column: Column): (value: unknown, row: number) => unknown {
  const wrong = (value: unknown, row: number, expected: string) =>
    new FieldValueError(
      `record ${row + 1}, field "${column.name}": ${JSON.stringify(value)?.slice(0, 80)} is not ${expected}`,
    );
  switch (column.kind) {
    case 'integer':
      return (v, row) => {
        if (v === null || v === undefined) return null;
        if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
        if (typeof v === 'bigint') return v;
        throw wrong(v, row, 'an integer');
      };
    case 'number':
      return (v, row) => {
        if (v === null || v === undefined) return null;
        if (typeof v === 'number') return v;
        throw wrong(v, row, 'a number');
      };
    case 'boolean':
      return (v, row) => {
        if (v === null || v === undefined) return null;
        if (typeof v === 'boolean') return v;
        throw wrong(v, row, 'a boolean');
      };
    case 'string':
      return (v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v));
    case 'json':
      return (v) => (v === null || v === undefined ? null : JSON.stringify(v));
    case 'mixed':
      return (v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v));
  }
}

/** The table behind FLOWFILE when FLOWFILE is a view (dictionary.ts). */
const LOADED = 'flowfile_loaded';

/**
 * Creates FLOWFILE on `connection`, a temporary table (a connection's temporary objects are its own, so
 * concurrent tasks do not meet) or, when some string column loads as an ENUM, a temporary view casting it back
 * over such a table, and appends `records`. Throws FieldValueError for a value its column refuses.
 */
export async function loadTable(
  connection: DuckDBConnection,
  columns: readonly Column[],
  records: readonly RecordObject[],
): Promise<void> {
  await dropTable(connection);
  // A table needs a column: without fields (none in the schema, or none a query reads) it gets one of nulls,
  // one row per record, so count(*) still counts them.
  const declared: readonly Column[] = columns.length > 0 ? columns : [{ name: '_no_fields', kind: 'string' }];
  const convert = declared.map(converter);
  const dictionaries = declared.map((c, i) =>
    c.kind === 'string' ? dictionaryOf(records.length, (r) => convert[i]!(records[r]![c.name], r)) : undefined,
  );
  const view = dictionaries.some((d) => d !== undefined);
  const table = view ? LOADED : 'FLOWFILE';
  const ddl = declared
    .map((c, i) => `${quoteIdentifier(c.name)} ${dictionaries[i]?.sql ?? SQL_TYPE[c.kind]}`)
    .join(', ');
  await connection.run(`CREATE TEMP TABLE ${table} (${ddl})`);
  if (view) {
    const select = declared
      .map((c, i) => {
        const name = quoteIdentifier(c.name);
        return dictionaries[i] ? `${name}::VARCHAR AS ${name}` : name;
      })
      .join(', ');
    await connection.run(`CREATE TEMP VIEW FLOWFILE AS SELECT ${select} FROM ${table}`);
  }
  if (records.length === 0) return;
  const appender = await connection.createAppender(table, 'main', 'temp');
  try {
    const types = declared.map((c, i) => dictionaries[i]?.type ?? CHUNK_TYPE[c.kind]);
    for (let start = 0; start < records.length; start += CHUNK_ROWS) {
      const size = Math.min(CHUNK_ROWS, records.length - start);
      const data: unknown[][] = [];
      for (let c = 0; c < declared.length; c++) {
        const name = declared[c]!.name;
        const conv = convert[c]!;
        const values = new Array<unknown>(size);
        for (let i = 0; i < size; i++) values[i] = conv(records[start + i]![name], start + i);
        data.push(values);
      }
      const chunk = DuckDBDataChunk.create(types, size);
      chunk.setColumns(data as Parameters<typeof chunk.setColumns>[0]);
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** Drops FLOWFILE and the table behind it (closing the connection would too; this frees the memory now). */
export async function dropTable(connection: DuckDBConnection): Promise<void> {
  await connection.run('DROP VIEW IF EXISTS temp.main.FLOWFILE');
  await connection.run('DROP TABLE IF EXISTS temp.main.FLOWFILE');
  await connection.run(`DROP TABLE IF EXISTS temp.main.${LOADED}`);
}
