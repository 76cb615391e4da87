/**
 * `npm run bench`: every scenario on each back end (memory, the durable repository, NATS), three runs each (median FlowFiles/s), each run in a fresh
 * process so peak RSS is its own; then the latency run at half the median rate. Prints a table and writes
 * bench/results/<date>-<back ends>.json. Options: `--only linear,fan-out`, `--backends memory,nats`, `--runs 3`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { scenarios } from './scenarios';

const opts = new Command()
  .option('--only <names>', 'comma-separated scenarios')
  .option(
    '--backends <names>',
    'comma-separated back ends: memory, durable (--sync always), durable-batch, nats',
    'memory,durable,nats',
  )
  .option('--runs <n>', 'runs per scenario', '3')
  .parse()
  .opts<{ only?: string; backends: string; runs: string }>();

interface Result {
  scenario: string;
  backend: string;
  paced: number | null;
  idle: boolean;
  received: number;
  expected: number;
  flowFilesPerSecond: number;
  cpuSecondsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  peakRssMb: number;
  flowFilesPerMessage?: number;
}

const root = path.resolve(import.meta.dirname, '..');
function runOnce(name: string, backend: string, paced?: number): Result {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', 'bench/scenario.ts', name, backend, ...(paced ? [String(paced)] : [])],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'silent' },
      maxBuffer: 1 << 24,
    },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as Result;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const only = opts.only?.split(',');
const rows: Record<string, unknown>[] = [];
const raw: Result[] = [];
for (const backend of opts.backends.split(',')) {
  for (const s of scenarios.filter((x) => !only || only.includes(x.name))) {
    const runs: Result[] = [];
    for (let i = 0; i < Number(opts.runs); i++) {
      try {
        runs.push(runOnce(s.name, backend));
      } catch (err) {
        process.stderr.write(`${s.name}/${backend} failed: ${(err as Error).message.split('\n')[0]}\n`);
      }
    }
    if (runs.length === 0) continue;
    raw.push(...runs);
    const rate = median(runs.map((r) => r.flowFilesPerSecond));
    // Unpaced latency is mostly queueing at the thresholds; for the two throughput scenarios the latency
    // reported is measured again with the source paced at half the median rate.
    let latency = runs[Math.floor(runs.length / 2)]!.latencyMs;
    let pacedAt: number | null = null;
    if (s.name === 'linear' || s.name === 'fan-out') {
      pacedAt = Math.round(rate / 2);
      try {
        const paced = runOnce(s.name, backend, pacedAt);
        raw.push(paced);
        latency = paced.latencyMs;
      } catch (err) {
        process.stderr.write(`${s.name}/${backend} paced run failed: ${(err as Error).message.split('\n')[0]}\n`);
      }
    }
    rows.push({
      scenario: s.name,
      backend,
      'FlowFiles/s (median)': Math.round(rate),
      'all arrived': runs.every((r) => r.received === r.expected),
      'latency p50 ms': latency.p50,
      'latency p99 ms': latency.p99,
      'latency measured at FF/s': pacedAt ?? 'full speed',
      'peak RSS MB': Math.round(Math.max(...runs.map((r) => r.peakRssMb))),
      ...(runs[0]!.flowFilesPerMessage ? { 'FlowFiles/message': runs[0]!.flowFilesPerMessage } : {}),
    });
  }
}

// Scenarios 5 and 6 on NATS: the raw JetStream hop with the same client, and linear with one and two workers.
const extras: Record<string, unknown> = {};
/** Runs a figure script in a process of its own; it prints one JSON line last. */
function extra(name: string, script: string, args: readonly string[] = []): void {
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'silent' },
      maxBuffer: 1 << 24,
    });
    extras[name] = JSON.parse(out.trim().split('\n').at(-1)!);
  } catch (err) {
    process.stderr.write(`${script} failed: ${(err as Error).message.split('\n')[0]}\n`);
  }
}
const backends = opts.backends.split(',');
if (backends.includes('nats')) {
  extra('jetstreamHop', 'bench/jetstream-hop.ts');
  extra('cluster', 'bench/cluster.ts');
  extra('codec', 'bench/codec.ts');
}
// The durable repository's own figures: recovery with 1,000,000 queued, RSS with 5,000,000 queued, and provenance
// queries over 10,000,000 events.
if (backends.includes('durable')) {
  extra('durability', 'bench/durability.ts', ['5000000', '1000000']);
  extra('provenanceQuery', 'bench/provenance-query.ts', ['10000000']);
}

console.table(rows);
for (const [name, value] of Object.entries(extras)) console.log(name, JSON.stringify(value, null, 2));
const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  memGb: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
};
const dir = path.join(root, 'bench/results');
mkdirSync(dir, { recursive: true });
// One file per day and set of back ends (a later run of the same set that day replaces it).
const file = path.join(dir, `${new Date().toISOString().slice(0, 10)}-${backends.join('+')}.json`);
writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine, rows, extras, raw }, null, 2)}\n`);
console.log(`written ${path.relative(root, file)}`);

// The record processors (bench/records.ts, `npm run bench:records`): their own table and results file.
if (!only) execFileSync(process.execPath, ['--import', 'tsx', 'bench/records.ts'], { cwd: root, stdio: 'inherit' });
