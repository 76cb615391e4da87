/**
 * Runs one benchmark scenario once in this process and prints one JSON line:
 * `node --import tsx bench/scenario.ts <scenario> <memory|durable|durable-batch|nats> [pacedRate]`.
 * durable: the repositories of `sluice serve` with --sync always; durable-batch: with --sync batch.
 */
import { createRegistry } from '../processors/registry';
import { FlowEngine } from '../server/engine/flow-engine';
import { validateFlow } from '../server/validation/flow-validator';
import { BenchSink, latencies, received } from './bench-sink';
import { scenarios } from './scenarios';

const [name = 'linear', backend = 'memory', pacedArg] = process.argv.slice(2);
const scenario = scenarios.find((s) => s.name === name);
if (!scenario) throw new Error(`unknown scenario ${name}; have ${scenarios.map((s) => s.name).join(', ')}`);
const paced = pacedArg ? Number(pacedArg) : undefined;

const registry = createRegistry([BenchSink]);
const check = validateFlow(scenario.flow({ paced }), registry);
if (!check.ok) throw new Error(JSON.stringify(check.issues));

let engineOptions: ConstructorParameters<typeof FlowEngine>[2] = {};
let cleanup = async () => {};
/** NATS: FlowFiles per published message (a message carries a batch). */
let perMessage: (() => number) | undefined;
if (backend === 'durable' || backend === 'durable-batch') {
  // The embedded default of `sluice serve`: FlowFile, content and provenance repositories on disk.
  const { mkdtempSync, rmSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { FlowFileRepository } = await import('../server/storage/durable/flowfile-repository');
  const { LmdbProvenanceStore } = await import('../server/storage/provenance-repository/lmdb-provenance-store');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-'));
  const repo = FlowFileRepository.open(dir, {
    sync: backend === 'durable' ? 'always' : 'batch',
    ...(process.env.BENCH_NO_PROV ? {} : { provenance: (root: any) => new LmdbProvenanceStore(root) }),
  });
  engineOptions = {
    queueFactory: repo.queueFactory,
    ...(repo.provenance && { provenance: repo.provenance }),
    commitWriter: repo.commitWriter,
    processorState: (id) => repo.processorState(check.resolved.id, id),
  };
  cleanup = async () => {
    await repo.close();
    rmSync(dir, { recursive: true, force: true });
  };
} else if (backend === 'nats') {
  const { natsBackend } = await import(`./nats-backend${''}`);
  const nats = await natsBackend();
  engineOptions = nats.engineOptions;
  cleanup = nats.close;
  perMessage = nats.flowFilesPerMessage;
}

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 25);

const engine = new FlowEngine(check.resolved, registry, engineOptions);
const started = performance.now();
const cpu0 = process.cpuUsage();
await engine.start();
const idle = await engine.waitUntilIdle(10 * 60_000);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpu0);
await engine.stop();
clearInterval(sampler);
const flowFilesPerMessage = perMessage?.();
await cleanup();

const sorted = Float64Array.from(latencies).sort();
const pct = (p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
process.stdout.write(
  `${JSON.stringify({
    scenario: name,
    backend,
    paced: paced ?? null,
    idle,
    received: received.count,
    expected: scenario.expected,
    seconds,
    flowFilesPerSecond: scenario.created / seconds,
    cpuSecondsPerSecond: (cpu.user + cpu.system) / 1e6 / seconds,
    latencyMs: { p50: pct(50), p99: pct(99), max: sorted.length ? sorted[sorted.length - 1] : NaN },
    peakRssMb: peakRss / 1024 / 1024,
    ...(flowFilesPerMessage !== undefined && { flowFilesPerMessage }),
  })}\n`,
);
