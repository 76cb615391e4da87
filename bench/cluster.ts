/**
 * Benchmark scenario 6: scenario 1 (linear) in cluster mode on NATS, with one worker and with two, each run
 * on a fresh nats-server with real processes: `sluice serve --nats --no-worker` and N `sluice worker`.
 * GenerateFlowFile runs on the primary only (else every worker would generate the whole count); the other
 * processors run on every worker, competing for each connection's messages. The sink is LogAttribute with
 * logging off (BenchSink is not in the CLI's registry), and the time is taken from the start request until
 * the aggregated status (`GET /api/flows/:id/status`, reports every 200 ms) shows every FlowFile at the sink.
 * `node --import tsx bench/cluster.ts [workers,...]` (default "1,2") prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { type SluiceProcess, spawnSluice } from '../test/cluster/sluice-process';
import { startNats } from '../test/helpers/nats-server';
import { freePort } from '../test/helpers/ports';
import { scenarios } from './scenarios';

const counts = (process.argv[2] ?? '1,2').split(',').map(Number);
const linear = scenarios.find((s) => s.name === 'linear')!;

interface FlowJson {
  id: string;
  processors: { id: string; type: string; config?: object; executionMode?: string }[];
}

/** Scenario 1 as the CLI can run it: the source on the primary, LogAttribute (silent) as the counting sink. */
function clusterFlow(): FlowJson {
  const flow = structuredClone(linear.flow({})) as FlowJson;
  for (const p of flow.processors) {
    if (p.type === 'GenerateFlowFile') p.executionMode = 'primary';
    if (p.type === 'BenchSink') {
      p.type = 'LogAttribute';
      p.config = { logLevel: 'none', batchSize: 1000 };
    }
  }
  return flow;
}

function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch((err: Error) => {
      if (err.message.includes(' exited: ')) throw err;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function runWith(workers: number) {
  const nats = await startNats();
  const data = await mkdtemp(path.join(tmpdir(), 'sluice-bench-cluster-'));
  const port = await freePort();
  const api = `http://127.0.0.1:${port}/api`;
  const common = ['--nats', nats.url, '--status-interval', '200ms', '--data', data];
  const processes: SluiceProcess[] = [
    spawnSluice('server', ['serve', ...common, '--no-worker', '--port', String(port)], { LOG_LEVEL: 'error' }),
  ];
  for (let i = 1; i <= workers; i++)
    processes.push(spawnSluice(`w${i}`, ['worker', ...common, '--name', `w${i}`], { LOG_LEVEL: 'error' }));
  try {
    await until('the workers', 60_000, async () => {
      const gone = processes.find((p) => p.gone);
      if (gone) throw new Error(`${gone.name} exited: ${gone.stderr().slice(-2000)}`);
      const res = (await (await fetch(`${api}/workers`)).json()) as { workers: { alive: boolean }[] };
      return res.workers.filter((w) => w.alive).length === workers ? true : undefined;
    });
    const flow = clusterFlow();
    const post = (route: string, body?: unknown) =>
      fetch(`${api}${route}`, {
        method: 'POST',
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      }).then((r) => {
        if (!r.ok) throw new Error(`POST ${route}: ${r.status}`);
      });
    await post('/flows', flow);
    const cpu0 = processes.map((p) => cpuOf(p.pid));
    const nats0 = cpuOf(nats.pid);
    const started = performance.now();
    await post(`/flows/${flow.id}/start`);
    const status = await until('every FlowFile at the sink', 10 * 60_000, async () => {
      const s = (await (await fetch(`${api}/flows/${flow.id}/status`)).json()) as {
        processors: Record<string, { in: number; workers: Record<string, { in: number }> }>;
      };
      return s.processors.sink!.in >= linear.expected ? s : undefined;
    });
    const seconds = (performance.now() - started) / 1000;
    const cpu = processes.map((p, i) => Math.round(((cpuOf(p.pid) - cpu0[i]!) / seconds) * 100) / 100);
    return {
      workers,
      flowFiles: linear.created,
      seconds: Math.round(seconds * 100) / 100,
      flowFilesPerSecond: Math.round(linear.created / seconds),
      sinkPerWorker: Object.fromEntries(Object.entries(status.processors.sink!.workers).map(([w, p]) => [w, p.in])),
      cpuPerSecond: {
        ...Object.fromEntries(processes.map((p, i) => [p.name, cpu[i]])),
        'nats-server': Math.round(((cpuOf(nats.pid) - nats0) / seconds) * 100) / 100,
      },
    };
  } finally {
    await Promise.allSettled(processes.map((p) => p.stop()));
    await nats.stop();
    await rm(data, { recursive: true, force: true });
  }
}

const runs = [];
for (const n of counts) runs.push(await runWith(n));
const one = runs.find((r) => r.workers === 1);
const two = runs.find((r) => r.workers === 2);
process.stdout.write(
  `${JSON.stringify({
    scenario: 'cluster',
    description: 'scenario 1 (linear) on NATS in cluster mode, N workers',
    cpus: os.cpus().length,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    runs,
    ...(one && two && { speedup: Math.round((two.flowFilesPerSecond / one.flowFilesPerSecond) * 100) / 100 }),
  })}\n`,
);
