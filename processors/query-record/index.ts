/**
 * QueryRecord: SQL over the records of each FlowFile (NiFi's QueryRecord), run by an embedded DuckDB. The
 * reader's records become the table FLOWFILE, each named query's result is written with the writer and sent to
 * the relationship of that name. Setup opens one locked-down DuckDB (duckdb-engine.ts) and checks every query is
 * one SELECT; each FlowFile gets its own connection and temporary table (load-table.ts), results convert back to
 * records by result-values.ts.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import {
  defineProcessor,
  duration,
  errorText,
  type FlowFile,
  failWith,
  INVALID_RELATIONSHIP,
  type ProcessSession,
  RECORD_READER,
  RECORD_WRITER,
  type RecordReader,
  type RecordWriter,
  recordCountText,
  size,
  transferInvalid,
} from '../../sdk';
import { pointer } from '../expressions';
import { missingServiceIssues, readerProperty, writerProperty } from '../record-flowfiles';
import { type ColumnNeeds, neededFields, needsOf } from './column-needs';
import { openEngine, parseSelect, quickSelectProblem, runWithTimeout } from './duckdb-engine';
import { type Column, columnsOf, dropTable, loadTable } from './load-table';
import { resultRecords } from './result-values';

const FIXED = ['original', 'failure', 'invalid'];

interface State {
  instance: DuckDBInstance;
  reader: RecordReader;
  writer: RecordWriter;
  queries: Query[];
}

interface Query {
  name: string;
  sql: string;
  needs: ColumnNeeds;
}

interface QueryOutput {
  name: string;
  content: Buffer;
  count: number;
}

export default defineProcessor({
  type: 'QueryRecord',
  category: 'transform',
  description:
    'Runs named SQL SELECT queries (DuckDB) over the records of each FlowFile, read as the table FLOWFILE; each result is written with the writer and sent to the relationship named after its query.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      reader: readerProperty,
      writer: writerProperty,
      queries: {
        type: 'object',
        propertyNames: { pattern: '^[A-Za-z0-9_.-]+$', not: { enum: FIXED } },
        additionalProperties: { type: 'string', minLength: 1 },
        default: {},
        examples: [
          {
            large_eu: "SELECT * FROM FLOWFILE WHERE region = 'eu' AND amount > 500",
            by_region:
              'SELECT region, count(*) AS n, SUM(CAST(amount AS DECIMAL(18,2))) AS total FROM FLOWFILE GROUP BY region ORDER BY region',
          },
        ],
        description:
          'Relationship name → one SQL SELECT over the table FLOWFILE (DuckDB SQL). Integers are BIGINT, numbers DOUBLE, objects and arrays JSON; sum money as DECIMAL to keep it exact.',
      },
      includeZeroRecordResults: {
        type: 'boolean',
        default: true,
        description: 'Send a result with no rows as a FlowFile with no records (off: send nothing for it).',
      },
      timeout: duration('How long one query may run before it is interrupted (the FlowFile goes to failure).', '30s'),
      memoryLimit: size('Memory DuckDB may use for the table and the queries (per running processor).', '1 GB'),
      threads: { type: 'integer', minimum: 1, maximum: 64, default: 2, description: 'DuckDB worker threads.' },
      batchSize: {
        type: 'integer',
        minimum: 1,
        maximum: 1000,
        default: 1,
        description: 'FlowFiles per session (each is loaded whole into DuckDB: keep it small for large files).',
      },
    },
  },
  relationships: [
    { name: 'original', description: 'The input FlowFile, once every query ran.' },
    {
      name: 'failure',
      description:
        'The content could not be read, a value did not fit its column, or a query failed or ran out of time; the reason is in "query.error".',
    },
    INVALID_RELATIONSHIP,
  ],
  dynamicRelationships: (config) =>
    Object.entries(config.queries).map(([name, sql]) => ({
      name,
      description: `The result of: ${sql}`,
    })),
  validate: (config) => [
    ...missingServiceIssues(config),
    ...(Object.keys(config.queries).length === 0
      ? [{ path: '/queries', message: 'add at least one query: {"<relationship>": "SELECT ... FROM FLOWFILE"}' }]
      : []),
    ...Object.entries(config.queries).flatMap(([name, sql]) => {
      const problem = quickSelectProblem(sql);
      return problem ? [{ path: `/queries/${pointer(name)}`, message: problem }] : [];
    }),
  ],
  async setup(config, ctx) {
    const instance = await openEngine({ memoryLimit: config.memoryLimit, threads: config.threads });
    const queries: Query[] = [];
    try {
      const connection = await instance.connect();
      try {
        for (const [name, sql] of Object.entries(config.queries)) {
          const parsed = await parseSelect(connection, sql);
          if (parsed.problem !== undefined)
            throw new Error(`query "${name}" (/queries/${pointer(name)}): ${parsed.problem}`);
          queries.push({ name, sql, needs: needsOf(parsed.ast) });
        }
      } finally {
        connection.closeSync();
      }
      return {
        instance,
        reader: ctx.services.get<RecordReader>(config.reader!, RECORD_READER),
        writer: ctx.services.get<RecordWriter>(config.writer!, RECORD_WRITER),
        queries,
      } satisfies State;
    } catch (err) {
      instance.closeSync();
      throw err;
    }
  },
  teardown(state) {
    state.instance.closeSync();
  },
  async onTrigger(session, { config, state }) {
    const inputs = await session.get(config.batchSize);
    if (inputs.length === 0) return;
    const connection = await state.instance.connect();
    try {
      for (const ff of inputs) await queryOne(session, ff, connection, state, config);
    } finally {
      connection.closeSync();
    }
  },
});

/** A query that failed, named. */
class QueryError extends Error {}

/** Where the time of one FlowFile went, in milliseconds (the provenance details of the input say it). */
interface Timings {
  read: number;
  load: number;
  query: number;
  write: number;
}

const since = (start: number) => performance.now() - start;

/** "read 1.20 s, load 0.31 s, query 0.04 s, write 0.00 s" */
function timingText(t: Timings): string {
  return (['read', 'load', 'query', 'write'] as const).map((k) => `${k} ${(t[k] / 1000).toFixed(2)} s`).join(', ');
}

/** Loads `columns` of `records` as FLOWFILE and runs every query on it, writing each result. */
async function runQueries(
  connection: DuckDBConnection,
  columns: readonly Column[],
  records: Awaited<ReturnType<RecordReader['read']>>['records'],
  state: State,
  config: { timeout: number; includeZeroRecordResults: boolean },
  timings: Timings,
): Promise<QueryOutput[]> {
  let start = performance.now();
  await loadTable(connection, columns, records);
  timings.load += since(start);
  const outputs: QueryOutput[] = [];
  for (const query of state.queries) {
    start = performance.now();
    let result: Awaited<ReturnType<DuckDBConnection['run']>>;
    try {
      result = await runWithTimeout(connection, config.timeout, () => connection.run(query.sql));
    } catch (err) {
      throw new QueryError(`query "${query.name}": ${errorText(err)}`);
    }
    const { schema, records: rows } = resultRecords(
      result.deduplicatedColumnNames(),
      result.columnTypes(),
      await result.getColumns(),
    );
    timings.query += since(start);
    if (rows.length === 0 && !config.includeZeroRecordResults) continue;
    start = performance.now();
    outputs.push({ name: query.name, content: await state.writer.write(rows, schema), count: rows.length });
    timings.write += since(start);
  }
  return outputs;
}

async function queryOne(
  session: ProcessSession,
  ff: FlowFile,
  connection: DuckDBConnection,
  state: State,
  config: { timeout: number; includeZeroRecordResults: boolean },
): Promise<void> {
  const timings: Timings = { read: 0, load: 0, query: 0, write: 0 };
  const start = performance.now();
  let set: Awaited<ReturnType<RecordReader['read']>>;
  try {
    set = await state.reader.read(ff.content, ff.attributes);
    timings.read = since(start);
  } catch (err) {
    failWith(session, ff, 'query.error', `the content cannot be read: ${errorText(err)}`);
    return;
  }
  const all = columnsOf(set.schema);
  const needed = neededFields(
    all,
    state.queries.map((q) => q.needs),
  );
  let outputs: QueryOutput[];
  try {
    try {
      outputs = await runQueries(connection, needed, set.records, state, config, timings);
    } catch (err) {
      // Only the fields the queries name were loaded; should that have been too few, load all and run again.
      if (!(err instanceof QueryError) || needed.length === all.length || /time limit/.test(err.message)) throw err;
      outputs = await runQueries(connection, all, set.records, state, config, timings);
    }
  } catch (err) {
    failWith(session, ff, 'query.error', errorText(err));
    return;
  } finally {
    await dropTable(connection).catch(() => undefined);
  }
  for (const out of outputs) {
    const child = session.create({
      parents: [ff],
      content: out.content,
      attributes: {
        'query.name': out.name,
        'record.count': String(out.count),
        'mime.type': state.writer.mimeType,
      },
    });
    session.describe(child, `query "${out.name}": ${recordCountText(out.count)}`);
    session.transfer(child, out.name);
  }
  transferInvalid(session, ff, set.invalid);
  const original = session.putAttributes(ff, { 'record.count': String(set.records.length) });
  session.describe(original, `${recordCountText(set.records.length)} queried (${timingText(timings)})`);
  session.transfer(original, 'original');
}
