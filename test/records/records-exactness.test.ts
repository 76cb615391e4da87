/**
 * Records, end to end and exact (issue #17): a 1,000,000-row orders CSV (leading zeros, quoted commas, unicode,
 * multi-line quoted notes, empty lines, ~0.1% malformed rows of six kinds) goes through a real `sluice run`:
 * GetFile → PartitionRecord by region → QueryRecord (count and DECIMAL sum) → PutFile, the invalid records to a
 * second PutFile. The counts and sums per region equal an independent computation in BigInt cents, every
 * malformed row is an invalid record with its line, reason and text, and nothing is lost or counted twice.
 *
 * Exactness: the reader's schema keeps `amount` a string checked by a pattern (exactly two decimals), and the SQL
 * sums `CAST(amount AS DECIMAL(18,2))`: decimal text to DuckDB decimal, no binary fraction anywhere. (A `number`
 * field would pass through a double and rely on the cast rounding it back.) The totals are compared as the text
 * the JSON holds, turned into cents, never as floats.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { centsText, generateOrdersCsv, parseCents, REASONS, REGIONS } from './exactness-orders';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin', 'sluice.mjs');
const ROWS = 1_000_000;
const cleanup: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const SCHEMA = {
  type: 'object',
  required: ['id', 'region', 'amount', 'customer', 'note'],
  properties: {
    id: { type: 'string', pattern: '^[0-9]{7}$' },
    region: { type: 'string', minLength: 1 },
    amount: { type: 'string', pattern: '^-?(0|[1-9][0-9]*)\\.[0-9]{2}$' },
    customer: { type: 'string' },
    note: { type: 'string' },
  },
};

const QUERY = [
  'SELECT region, count(*) AS orders, SUM(CAST(amount AS DECIMAL(18,2))) AS total, min(id) AS first_id,',
  "count(*) FILTER (WHERE contains(customer, ',')) AS comma_customers,",
  'count(*) FILTER (WHERE contains(note, chr(10))) AS multiline_notes',
  'FROM FLOWFILE GROUP BY region',
].join(' ');

const FAILURES = ['partition', 'query', 'name-result', 'name-invalid', 'put-results', 'put-invalid'];

const flow = {
  schemaVersion: 2,
  id: 'records-exactness',
  name: 'Records exactness',
  services: [
    { id: 'csv', type: 'CSVReader', config: { schemaAccess: 'inline', schema: SCHEMA } },
    { id: 'json-in', type: 'JsonRecordReader', config: {} },
    { id: 'json-out', type: 'JsonRecordSetWriter', config: { format: 'json-lines' } },
  ],
  processors: [
    { id: 'get', type: 'GetFile', config: { directory: './in', filter: '*.csv', batchSize: 1 } },
    {
      id: 'partition',
      type: 'PartitionRecord',
      config: { reader: { service: 'csv' }, writer: { service: 'json-out' }, partitionBy: { region: 'region' } },
      autoTerminate: ['original'],
    },
    {
      id: 'query',
      type: 'QueryRecord',
      config: { reader: { service: 'json-in' }, writer: { service: 'json-out' }, queries: { totals: QUERY } },
      autoTerminate: ['original'],
    },
    {
      id: 'name-result',
      type: 'UpdateAttribute',
      config: { attributes: { filename: 'attributes.region & ".json"' } },
    },
    { id: 'put-results', type: 'PutFile', config: { directory: './results' }, autoTerminate: ['success'] },
    {
      id: 'name-invalid',
      type: 'UpdateAttribute',
      config: { attributes: { filename: '"invalid-records.jsonl"' } },
    },
    { id: 'put-invalid', type: 'PutFile', config: { directory: './invalid' }, autoTerminate: ['success'] },
    { id: 'log-failures', type: 'LogAttribute', config: { logLevel: 'error' }, autoTerminate: ['success'] },
  ],
  connections: [
    { id: 'get-partition', source: 'get', relationships: ['success'], target: 'partition' },
    { id: 'partition-query', source: 'partition', relationships: ['success'], target: 'query' },
    { id: 'query-name', source: 'query', relationships: ['totals'], target: 'name-result' },
    { id: 'name-put', source: 'name-result', relationships: ['success'], target: 'put-results' },
    { id: 'invalid-name', source: 'partition', relationships: ['invalid'], target: 'name-invalid' },
    { id: 'invalid-put', source: 'name-invalid', relationships: ['success'], target: 'put-invalid' },
    // Any failure, and records the JSON reader would refuse (none), end in one place the test counts.
    ...FAILURES.map((source) => ({
      id: `${source}-failures`,
      source,
      relationships: source === 'query' ? ['failure', 'invalid'] : ['failure'],
      target: 'log-failures',
    })),
  ],
};

/** Runs the CLI to its end without blocking this process. */
function runSluice(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, LOG_LEVEL: 'warn' } });
  cleanup.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => {
    stdout += c;
  });
  child.stderr.on('data', (c) => {
    stderr += c;
  });
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

/** The `total` of one result line exactly as written (a JSON number or, beyond 15 digits, a string), in cents. */
function totalCents(line: string): bigint {
  const token = /"total":(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|"[^"]*")/.exec(line)?.[1];
  if (token === undefined) throw new Error(`no total in ${line}`);
  return parseCents(token.startsWith('"') ? (JSON.parse(token) as string) : token);
}

test('a 1,000,000-row CSV through PartitionRecord and QueryRecord in sluice run: exact sums per region, every malformed row accounted for by line', async () => {
  const started = performance.now();
  const csv = generateOrdersCsv(ROWS, 17);
  const cwd = await mkdtemp(path.join(tmpdir(), 'sluice-records-exactness-'));
  cleanup.push(() => rm(cwd, { recursive: true, force: true }));
  await mkdir(path.join(cwd, 'in'));
  await writeFile(path.join(cwd, 'flow.json'), JSON.stringify(flow));
  await writeFile(path.join(cwd, 'in', 'orders.csv'), csv.text);
  const generated = performance.now();

  const r = await runSluice(['run', 'flow.json', '--until-idle', '--timeout', '200s'], cwd);
  const ran = performance.now();
  expect(r.status, r.stderr).toBe(0);
  const status = JSON.parse(r.stdout) as { processors: Record<string, { in: number; errors: number }> };
  expect(status.processors.partition!.in).toBe(1);
  expect(status.processors.query!.in).toBe(REGIONS.length);
  expect(status.processors['log-failures']!.in).toBe(0);
  expect(Object.values(status.processors).every((p) => p.errors === 0)).toBe(true);

  // Per region: what Sluice wrote, against what this test computed.
  const results = path.join(cwd, 'results');
  expect((await readdir(results)).sort()).toEqual(REGIONS.map((region) => `${region}.json`).sort());
  const actual: Record<string, unknown> = {};
  let valid = 0;
  for (const region of REGIONS) {
    const lines = (await readFile(path.join(results, `${region}.json`), 'utf8')).split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const row = JSON.parse(lines[0]!) as Record<string, unknown>;
    actual[region] = { ...row, total: centsText(totalCents(lines[0]!)) };
    valid += row.orders as number;
  }
  const expected = Object.fromEntries(
    [...csv.regions].map(([region, t]) => [
      region,
      {
        region,
        orders: t.orders,
        total: centsText(t.cents),
        first_id: t.firstId,
        comma_customers: t.commaCustomers,
        multiline_notes: t.multilineNotes,
      },
    ]),
  );
  expect(actual).toEqual(expected);
  // The large 東京 sum has more than 15 significant digits: written as exact text, not as a number.
  expect(await readFile(path.join(results, '東京.json'), 'utf8')).toMatch(/"total":"[0-9]{14}\.[0-9]{2}"/);

  // Every malformed row is one invalid record: its line, a reason naming the problem, its text.
  const invalidText = await readFile(path.join(cwd, 'invalid', 'invalid-records.jsonl'), 'utf8');
  const invalid = invalidText
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { line: number; reason: string; raw: string });
  expect(invalid.map((i) => i.line)).toEqual([...csv.malformed.keys()].sort((a, b) => a - b));
  const wrong = invalid.filter((i) => {
    const known = csv.malformed.get(i.line)!;
    return !REASONS[known.kind].test(i.reason) || i.raw !== known.text;
  });
  expect(wrong).toEqual([]);
  expect(new Set([...csv.malformed.values()].map((m) => m.kind)).size).toBe(6);

  // Nothing lost, nothing counted twice.
  expect(valid + invalid.length).toBe(ROWS);
  console.info(
    `records exactness: generate ${((generated - started) / 1000).toFixed(1)} s, sluice run ${((ran - generated) / 1000).toFixed(1)} s, checks ${((performance.now() - ran) / 1000).toFixed(1)} s`,
  );
}, 240_000);
