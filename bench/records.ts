/**
 * `npm run bench:records`: the record processors on one generated orders CSV (1,000,000 rows: id with leading
 * zeros, one of 5 regions, amount with 2 decimals, a quoted name with a comma and some unicode), each case in a
 * process of its own so its peak RSS is its own:
 *   convert        ConvertRecord CSV → JSON lines through CSVReader / JsonRecordSetWriter
 *   query          QueryRecord GROUP BY region (exact DECIMAL sums), with its own time split (read / load into
 *                  DuckDB / query / write) from the provenance details of the input
 *   partition      PartitionRecord by region into 5 FlowFiles
 *   split-route    today's way: SplitText one record per FlowFile → RouteOnContent by region → counting sink, in a
 *                  real FlowEngine on the memory back end (a FlowFile per record: 1,000,000 took 19 s and 2 GB)
 * Prints a table and, for a full run, writes bench/results/<date>-records.json. Options: `--rows 1000000`,
 * `--split-rows 100000` (split-route on fewer rows), `--only query,partition`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';

const root = path.resolve(import.meta.dirname, '..');
const REGIONS = ['eu', 'us', 'apac', 'latam', 'mea'];
const NAMES = ['Zoë Müller', 'José Álvarez', '王 小明', 'Ægir Ødegård', 'Ann Smith'];
const GROUP_BY =
  'SELECT region, count(*) AS n, SUM(CAST(amount AS DECIMAL(18,2))) AS total FROM FLOWFILE GROUP BY region ORDER BY region';

interface CaseResult {
  case: string;
  records: number;
  bytes: number;
  seconds: number;
  peakRssMb: number;
  check: string;
  split?: Record<string, number>;
  note?: string;
}

/** The orders CSV: deterministic, so every run measures the same bytes. */
function ordersCsv(rows: number): string {
  const parts: string[] = ['id,region,amount,name\n'];
  for (let i = 0; i < rows; i++) {
    const amount = ((i * 7919) % 100_000) / 100;
    parts.push(
      `${String(i).padStart(9, '0')},${REGIONS[i % 5]},${amount.toFixed(2)},"${NAMES[i % NAMES.length]}, #${i % 1000}"\n`,
    );
  }
  return parts.join('');
}

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function services() {
  const { enableService } = await import('../services/broker-test-kit');
  const CSVReader = (await import('../services/csv-reader')).default;
  const JsonRecordSetWriter = (await import('../services/json-record-writer')).default;
  return {
    csv: (await enableService(CSVReader, {})).instance,
    json: (await enableService(JsonRecordSetWriter, {})).instance,
  };
}

/** Runs one FlowFile of `content` through `definition` once; the seconds of its trigger (setup excluded). */
async function timeProcessor(definition: unknown, config: object, content: Buffer) {
  const { processorRunner } = await import('../sdk/testing');
  const run = processorRunner(definition as Parameters<typeof processorRunner>[0], config, {
    services: await services(),
  });
  await run.start();
  run.enqueue(content);
  const t0 = performance.now();
  await run.trigger();
  const seconds = (performance.now() - t0) / 1000;
  await run.stop();
  return { run, seconds };
}

const CASES: Record<string, (file: string, rows: number) => Promise<CaseResult>> = {
  async convert(file, rows) {
    const content = readFileSync(file);
    const ConvertRecord = (await import('../processors/convert-record')).default;
    const config = { reader: { service: 'csv' }, writer: { service: 'json' } };
    const { configIssues } = await import('../sdk/testing');
    if (configIssues(ConvertRecord, config).length > 0) {
      // ConvertRecord not yet on the services: the same work, the reader and writer called directly.
      const { csv, json } = await services();
      const t0 = performance.now();
      const set = await csv.read(content, {});
      const out = await json.write(set.records, set.schema);
      const seconds = (performance.now() - t0) / 1000;
      return {
        case: 'convert',
        records: set.records.length,
        bytes: content.length,
        seconds,
        peakRssMb: peakRssMb(),
        check: `${out.length} bytes out, ${set.invalid.length} invalid`,
        note: 'ConvertRecord does not take reader/writer yet: CSVReader.read + JsonRecordSetWriter.write directly',
      };
    }
    const { run, seconds } = await timeProcessor(ConvertRecord, config, content);
    const [out] = run.transferred('success');
    return {
      case: 'convert',
      records: Number(out?.attributes['record.count'] ?? 0),
      bytes: content.length,
      seconds,
      peakRssMb: peakRssMb(),
      check: `${out?.size ?? 0} bytes out, ${rows} rows in`,
    };
  },

  async query(file) {
    const content = readFileSync(file);
    const QueryRecord = (await import('../processors/query-record')).default;
    const { run, seconds } = await timeProcessor(
      QueryRecord,
      { reader: { service: 'csv' }, writer: { service: 'json' }, queries: { by_region: GROUP_BY } },
      content,
    );
    const [out] = run.transferred('by_region');
    const failed = run.transferred('failure')[0]?.attributes['query.error'];
    if (!out) throw new Error(`no result: ${failed}`);
    const groups = out.content
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { n: number });
    // QueryRecord's own account of the time, in the provenance details of the input.
    const details = run.provenance().find((e) => e.details?.includes(' queried ('))?.details ?? '';
    const split = Object.fromEntries(
      [...details.matchAll(/(read|load|query|write) ([0-9.]+) s/g)].map((m) => [
        `${m[1]}Ms`,
        Math.round(Number(m[2]) * 1000),
      ]),
    );
    return {
      case: 'query',
      records: groups.reduce((sum, g) => sum + g.n, 0),
      bytes: content.length,
      seconds,
      peakRssMb: peakRssMb(),
      check: `${groups.length} groups: ${out.content.toString().trim().replace(/\n/g, ' ')}`,
      split,
    };
  },

  async partition(file) {
    const content = readFileSync(file);
    const PartitionRecord = (await import('../processors/partition-record')).default;
    const { run, seconds } = await timeProcessor(
      PartitionRecord,
      { reader: { service: 'csv' }, writer: { service: 'json' }, partitionBy: { region: 'region' } },
      content,
    );
    const out = run.transferred('success');
    return {
      case: 'partition',
      records: out.reduce((sum, f) => sum + Number(f.attributes['record.count']), 0),
      bytes: content.length,
      seconds,
      peakRssMb: peakRssMb(),
      check: out.map((f) => `${f.attributes.region}=${f.attributes['record.count']}`).join(' '),
    };
  },

  async 'split-route'(file, rows) {
    const content = readFileSync(file, 'utf8');
    const { createRegistry } = await import('../processors/registry');
    const { FlowEngine } = await import('../server/engine/flow-engine');
    const { validateFlow } = await import('../server/validation/flow-validator');
    const { BenchSink, received } = await import('./bench-sink');
    const routes = Object.fromEntries(REGIONS.map((r) => [r, `,${r},`]));
    const flow = {
      schemaVersion: 1,
      id: 'bench-split-route',
      name: 'bench-split-route',
      processors: [
        { id: 'gen', type: 'GenerateFlowFile', config: { content, count: 1, batchSize: 1 } },
        {
          id: 'split',
          type: 'SplitText',
          config: { lineCount: 1, headerLineCount: 1, batchSize: 1 },
          autoTerminate: ['original', 'failure'],
        },
        {
          id: 'route',
          type: 'RouteOnContent',
          config: { rules: routes, batchSize: 1000 },
          autoTerminate: ['unmatched'],
        },
        { id: 'sink', type: 'BenchSink', config: { batchSize: 1000 }, autoTerminate: ['success'] },
      ],
      connections: [
        { id: 'c1', source: 'gen', relationships: ['success'], target: 'split' },
        { id: 'c2', source: 'split', relationships: ['splits'], target: 'route' },
        { id: 'c3', source: 'route', relationships: REGIONS, target: 'sink' },
      ],
    };
    const registry = createRegistry([BenchSink]);
    const check = validateFlow(flow, registry);
    if (!check.ok) throw new Error(JSON.stringify(check.issues));
    const engine = new FlowEngine(check.resolved, registry, {});
    const t0 = performance.now();
    await engine.start();
    const idle = await engine.waitUntilIdle(10 * 60_000);
    const seconds = (performance.now() - t0) / 1000;
    await engine.stop();
    return {
      case: 'split-route',
      records: received.count,
      bytes: Buffer.byteLength(content),
      seconds,
      peakRssMb: peakRssMb(),
      check: `${received.count} of ${rows} FlowFiles counted${idle ? '' : ' (not idle at the time limit)'}`,
    };
  },
};

// A child: `node --import tsx bench/records.ts --case <name> --file <csv> --rows <n>` prints one JSON line.
const opts = new Command()
  .option('--rows <n>', 'rows of the orders CSV', '1000000')
  .option('--split-rows <n>', 'rows for split-route (a FlowFile per record; default: --rows)')
  .option('--only <names>', `comma-separated cases: ${Object.keys(CASES).join(', ')}`)
  .option('--case <name>')
  .option('--file <path>')
  .parse()
  .opts<{ rows: string; splitRows?: string; only?: string; case?: string; file?: string }>();

if (opts.case) {
  const result = await CASES[opts.case]!(opts.file!, Number(opts.rows));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-records-'));
try {
  const rows = Number(opts.rows);
  const splitRows = Number(opts.splitRows ?? opts.rows);
  const big = path.join(dir, 'orders.csv');
  writeFileSync(big, ordersCsv(rows));
  const small = splitRows === rows ? big : path.join(dir, 'orders-split.csv');
  if (small !== big) writeFileSync(small, ordersCsv(splitRows));
  const only = opts.only?.split(',');
  const results: CaseResult[] = [];
  for (const name of Object.keys(CASES).filter((n) => !only || only.includes(n))) {
    const [file, n] = name === 'split-route' ? [small, splitRows] : [big, rows];
    try {
      const out = execFileSync(
        process.execPath,
        ['--import', 'tsx', 'bench/records.ts', '--case', name, '--file', file, '--rows', String(n)],
        { cwd: root, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' }, maxBuffer: 1 << 24 },
      );
      results.push(JSON.parse(out.trim().split('\n').at(-1)!) as CaseResult);
    } catch (err) {
      process.stderr.write(`${name} failed: ${(err as Error).message.split('\n').slice(0, 5).join(' ')}\n`);
    }
  }
  const rowsOut = results.map((r) => ({
    case: r.case,
    records: r.records,
    seconds: Number(r.seconds.toFixed(2)),
    'records/s': Math.round(r.records / r.seconds),
    'MB/s': Number((r.bytes / 2 ** 20 / r.seconds).toFixed(1)),
    'peak RSS MB': r.peakRssMb,
  }));
  console.table(rowsOut);
  for (const r of results) {
    console.log(`${r.case}: ${r.check}`);
    if (r.split) console.log(`  time split: ${JSON.stringify(r.split)}`);
    if (r.note) console.log(`  note: ${r.note}`);
  }
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
  const loadAverage = os.loadavg().map((l) => Number(l.toFixed(1)));
  console.log(`load average ${loadAverage.join(' ')} on ${machine.cpus} CPUs`);
  if (only) console.log('--only: results file not written (a full run writes it)');
  else {
    const resultsDir = path.join(root, 'bench/results');
    mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `${new Date().toISOString().slice(0, 10)}-records.json`);
    const summary = { date: new Date().toISOString(), machine, loadAverage, rows, splitRows, table: rowsOut, results };
    writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
    console.log(`written ${path.relative(root, file)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
