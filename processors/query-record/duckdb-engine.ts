/**
 * QueryRecord's DuckDB: one in-memory instance per running processor, locked down so hostile SQL cannot touch
 * the machine, and the SELECT-only check of its queries. With `enable_external_access` off DuckDB refuses every
 * file and network access (read_csv('/etc/passwd'), COPY TO, ATTACH, INSTALL, LOAD); `lock_configuration`
 * makes that final (a query cannot SET it back). A query that is a SELECT is still checked here, before it runs:
 * DuckDB's own parser (`json_serialize_sql`) says whether the text is exactly one SELECT statement.
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export interface EngineLimits {
  /** Bytes DuckDB may use (the instance's memory_limit). */
  memoryLimit: number;
  threads: number;
}

/** An in-memory DuckDB without file, network or extension access, its configuration locked. */
export function openEngine(limits: EngineLimits): Promise<DuckDBInstance> {
  return DuckDBInstance.create(':memory:', {
    enable_external_access: 'false',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    memory_limit: `${Math.max(1, Math.floor(limits.memoryLimit / (1024 * 1024)))}MB`,
    threads: String(limits.threads),
    lock_configuration: 'true',
  });
}

/**
 * DuckDB's parse of `sql` when it is exactly one SELECT (its JSON syntax tree, for column-needs.ts), else why not:
 * DuckDB's parser error, "only SELECT", or the count of statements.
 */
export async function parseSelect(
  connection: DuckDBConnection,
  sql: string,
): Promise<{ ast: unknown; problem?: undefined } | { problem: string }> {
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
  const parsed = JSON.parse(String(reader.getRows()[0]?.[0])) as {
    error: boolean;
    error_type?: string;
    error_message?: string;
    statements?: unknown[];
  };
  if (parsed.error) {
    if (parsed.error_type === 'not implemented') return { problem: 'only SELECT queries are allowed' };
    return { problem: `${parsed.error_type ?? 'parser'} error: ${parsed.error_message ?? 'the query does not parse'}` };
  }
  const count = parsed.statements?.length ?? 0;
  if (count !== 1) return { problem: `one SELECT statement is allowed, found ${count}` };
  return { ast: parsed.statements![0] };
}

/** Comments and leading brackets away: what a query starts with. */
function firstWord(sql: string): string {
  const stripped = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/^[\s(]+/, '');
  return (/^[A-Za-z]+/.exec(stripped)?.[0] ?? '').toUpperCase();
}

/** The words a DuckDB query may start with (DuckDB accepts FROM-first and VALUES as queries). */
const QUERY_STARTS = new Set(['SELECT', 'WITH', 'FROM', 'VALUES', 'TABLE']);

/**
 * The synchronous part of the check, for `validate`: the text starts like a query. The full check (one SELECT
 * statement that parses) needs DuckDB and runs when the processor starts (`selectProblem`).
 */
export function quickSelectProblem(sql: string): string | undefined {
  const word = firstWord(sql);
  if (word === '') return 'the query is empty';
  if (!QUERY_STARTS.has(word)) return `only SELECT queries are allowed, this one starts with ${word}`;
  return undefined;
}

/**
 * Runs `sql` on `connection`, interrupting it after `timeoutMs`: rejects with a message naming the limit then.
 */
export async function runWithTimeout<T>(
  connection: DuckDBConnection,
  timeoutMs: number,
  run: () => Promise<T>,
): Promise<T> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    connection.interrupt();
  }, timeoutMs);
  try {
    return await run();
  } catch (err) {
    if (timedOut) throw new Error(`the query ran longer than its time limit (${timeoutMs} ms) and was interrupted`);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
