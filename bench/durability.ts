/**
 * Durable repository figures, each measured in a process of its own and printed as one JSON line:
 *   node --import tsx bench/durability.ts fill <dir> <count>    queue <count> FlowFiles behind a stopped sink
 *   node --import tsx bench/durability.ts recover <dir>         open the repository: recovery time, RSS
 *   node --import tsx bench/durability.ts [queued=5000000] [recovery=1000000]   all of it, in child processes
 * Peak RSS is the child's own (ru_maxrss).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRegistry } from '../processors/registry';
import { FlowEngine } from '../server/engine/flow-engine';
import type { DurableQueue } from '../server/storage/durable/durable-queue';
import { FlowFileRepository } from '../server/storage/durable/flowfile-repository';
import { LmdbProvenanceStore } from '../server/storage/provenance-repository/lmdb-provenance-store';
import { validateFlow } from '../server/validation/flow-validator';

const [mode = 'all', ...args] = process.argv.slice(2);
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

function flow(count: number) {
  return {
    schemaVersion: 1,
    id: 'held',
    name: 'held',
    processors: [
      {
        id: 'gen',
        type: 'GenerateFlowFile',
        config: { content: 'a small payload', count, batchSize: 10_000, attributes: { k: 'v' } },
      },
      { id: 'sink', type: 'LogAttribute', config: { logLevel: 'none' }, autoTerminate: ['success'] },
    ],
    connections: [
      { id: 'c1', source: 'gen', relationships: ['success'], target: 'sink', backPressure: { objects: count + 1 } },
    ],
  };
}

async function fill(dir: string, count: number) {
  const registry = createRegistry();
  const check = validateFlow(flow(count), registry);
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  const repo = FlowFileRepository.open(dir, {
    sync: 'always',
    ...(!process.env.BENCH_NO_PROV && { provenance: (root) => new LmdbProvenanceStore(root) }),
  });
  const engine = new FlowEngine(check.resolved, registry, {
    queueFactory: repo.queueFactory,
    provenance: repo.provenance,
    commitWriter: repo.commitWriter,
    processorState: (id) => repo.processorState('held', id),
  });
  const queue = engine.connection('c1').queue as DurableQueue;
  const started = performance.now();
  await engine.start({ skip: new Set(['sink']) });
  while (queue.depth().count < count) await new Promise((r) => setTimeout(r, 100));
  const seconds = (performance.now() - started) / 1000;
  await engine.stop();
  await repo.close();
  return {
    queued: count,
    inMemory: count - queue.swappedOut,
    seconds,
    flowFilesPerSecond: count / seconds,
    peakRssMb: peakRssMb(),
  };
}

async function recover(dir: string) {
  const started = performance.now();
  const repo = FlowFileRepository.open(dir, { sync: 'always', provenance: (root) => new LmdbProvenanceStore(root) });
  const queue = repo.queueFactory('held', { id: 'c1', prioritizer: 'fifo' } as never) as DurableQueue;
  const ms = performance.now() - started;
  const result = {
    recovered: repo.recovery.flowFiles,
    recoveryMs: Math.round(ms),
    depth: queue.depth().count,
    peakRssMb: peakRssMb(),
  };
  await repo.close();
  return result;
}

function child(...argv: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/durability.ts', ...argv], {
    cwd: path.resolve(import.meta.dirname, '..'),
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent' },
    maxBuffer: 1 << 24,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

if (mode === 'fill') console.log(JSON.stringify(await fill(args[0]!, Number(args[1]))));
else if (mode === 'recover') console.log(JSON.stringify(await recover(args[0]!)));
else {
  const queued = Number(mode === 'all' ? (args[0] ?? 5_000_000) : mode);
  const recovery = Number(mode === 'all' ? (args[1] ?? 1_000_000) : (args[0] ?? 1_000_000));
  const results: Record<string, unknown> = {};
  for (const [name, count] of [
    ['recovery', recovery],
    ['queued', queued],
  ] as const) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-durability-'));
    try {
      const filled = child('fill', dir, String(count));
      const recovered = child('recover', dir);
      results[name] = { fill: filled, recover: recovered };
      process.stderr.write(`${name}: ${JSON.stringify(results[name])}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(JSON.stringify(results));
}
