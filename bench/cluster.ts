/**
 * Benchmark scenario 6: scenario 1 (linear) in cluster mode on NATS, with one worker and with two, each run
 * on a fresh nats-server with real processes: `sluice serve --nats --no-worker` and N `sluice worker`.
 * GenerateFlowFile runs on the primary only (else every worker would generate the whole count); the other
 * processors run on every worker, competing for each connection's messages. The sink is LogAttribute with
 * logging off (BenchSink is not in the CLI's registry), and the time is taken from the start request until
 * the aggregated status (`GET /api/flows/:id/status`, reports every 200 ms) shows every FlowFile at the sink.
 * `node --import tsx bench/cluster.ts [workers,...]` (default "1,2") prints a summary, then one JSON line.
 *
 * Throughput scale-out (more FlowFiles/s with a second worker) needs a core per worker besides the ones
 * nats-server and the server process use: this machine has 2, so a second worker only shares them. What two
 * cores can show is the cost: CPU-seconds per 1,000,000 FlowFiles of each worker and of all workers together,
 * with one worker and with two; the second worker must not make a FlowFile dearer by more than 10 %. A
 * worker's FlowFiles are its share of the processor work (FlowFiles generated, plus FlowFiles taken in by each
 * other processor, divided by the number of processors), as the status reports it per worker; the worker that
 * is primary runs GenerateFlowFile, a cheap pass, so its share looks larger and its cost per FlowFile smaller
 * than the other's: `allWorkers` is the figure to compare. Also reported, to tell where a rise comes from: the
 * same cost less what the workers burn running idle for as long (`…NetOfIdle`, `idleCpuPerSecond`), nats-server's
 * message and API counters per 1,000 FlowFiles, and FlowFiles per queue message.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { flowStream } from '../server/nats/names';
import { NatsLink } from '../server/nats/nats-link';
import { type SluiceProcess, spawnSluice } from '../test/cluster/sluice-process';
import { startNats } from '../test/helpers/nats-server';
import { freePort } from '../test/helpers/ports';
import { scenarios } from './scenarios';

/** How long the idle CPU of each process (flow running, queues empty) is sampled after the run, ms. */
const IDLE_SAMPLE_MS = 3000;
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

/** nats-server's counters (monitoring endpoint): client messages in and out, JetStream API requests. */
async function natsCounters(monitor: number): Promise<{ inMsgs: number; outMsgs: number; api: number }> {
  const varz = (await (await fetch(`http://127.0.0.1:${monitor}/varz`)).json()) as {
    in_msgs: number;
    out_msgs: number;
  };
  const jsz = (await (await fetch(`http://127.0.0.1:${monitor}/jsz`)).json()) as { api?: { total?: number } };
  return { inMsgs: varz.in_msgs, outMsgs: varz.out_msgs, api: jsz.api?.total ?? 0 };
}

async function runWith(workers: number) {
  const monitor = await freePort();
  const nats = await startNats({ args: ['-m', String(monitor)] });
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
    const counters0 = await natsCounters(monitor);
    const started = performance.now();
    await post(`/flows/${flow.id}/start`);
    const status = await until('every FlowFile at the sink', 10 * 60_000, async () => {
      const s = (await (await fetch(`${api}/flows/${flow.id}/status`)).json()) as {
        processors: Record<string, { in: number; workers: Record<string, { in: number; out: number }> }>;
      };
      return s.processors.sink!.in >= linear.expected ? s : undefined;
    });
    const seconds = (performance.now() - started) / 1000;
    const used = processes.map((p, i) => cpuOf(p.pid) - cpu0[i]!);
    const natsUsed = cpuOf(nats.pid) - nats0;
    const counters1 = await natsCounters(monitor);
    // Messages stored in the flow's stream (a queue message holds a batch): fewer FlowFiles per message cost more.
    const link = await NatsLink.open(nats.url);
    const published = await link.jsm.streams
      .info(flowStream(flow.id))
      .then((si) => si.state.last_seq)
      .finally(() => link.close());
    // What the processes burn with the flow running and nothing to do (polling, status reports, heartbeats):
    // the part of the cost that grows with the run's duration rather than with the FlowFiles.
    const idle0 = processes.map((p) => cpuOf(p.pid));
    const idleStarted = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_SAMPLE_MS));
    const idleSeconds = (performance.now() - idleStarted) / 1000;
    const idleRate = processes.map((p, i) => (cpuOf(p.pid) - idle0[i]!) / idleSeconds);
    const cpu = used.map((u) => Math.round((u / seconds) * 100) / 100);
    // Each worker's share of the FlowFiles: the processor work it did, in whole passes through the flow.
    const work: Record<string, number> = {};
    for (const [id, p] of Object.entries(status.processors))
      for (const [w, on] of Object.entries(p.workers)) work[w] = (work[w] ?? 0) + (id === 'gen' ? on.out : on.in);
    const passes = Object.keys(status.processors).length;
    const workerProcesses = processes.slice(1);
    const perMillion = (cpuSeconds: number, flowFiles: number) =>
      flowFiles > 0 ? Math.round((cpuSeconds / flowFiles) * 1e6 * 10) / 10 : null;
    const perWorker: Record<string, number | null> = Object.fromEntries(
      workerProcesses.map((p) => [p.name, perMillion(used[processes.indexOf(p)]!, (work[p.name] ?? 0) / passes)]),
    );
    const workersUsed = workerProcesses.reduce((n, p) => n + used[processes.indexOf(p)]!, 0);
    const workersIdle = workerProcesses.reduce((n, p) => n + idleRate[processes.indexOf(p)]! * seconds, 0);
    return {
      workers,
      flowFiles: linear.created,
      seconds: Math.round(seconds * 100) / 100,
      flowFilesPerSecond: Math.round(linear.created / seconds),
      sinkPerWorker: Object.fromEntries(Object.entries(status.processors.sink!.workers).map(([w, p]) => [w, p.in])),
      cpuPerSecond: {
        ...Object.fromEntries(processes.map((p, i) => [p.name, cpu[i]])),
        'nats-server': Math.round((natsUsed / seconds) * 100) / 100,
      },
      /** CPU-seconds per 1,000,000 FlowFiles: each worker per FlowFile of its share, all workers per FlowFile of the run. */
      cpuSecondsPerMillionFlowFiles: {
        ...perWorker,
        allWorkers: perMillion(workersUsed, linear.created),
        server: perMillion(used[0]!, linear.created),
        'nats-server': perMillion(natsUsed, linear.created),
      } as Record<string, number | null>,
      /** The same, less what the workers burn running idle over as long a time (the part that grows with run time). */
      cpuSecondsPerMillionFlowFilesNetOfIdle: {
        ...Object.fromEntries(
          workerProcesses.map((p) => {
            const i = processes.indexOf(p);
            return [p.name, perMillion(used[i]! - idleRate[i]! * seconds, (work[p.name] ?? 0) / passes)];
          }),
        ),
        allWorkers: perMillion(workersUsed - workersIdle, linear.created),
      } as Record<string, number | null>,
      /** CPU-s per second with the flow running and the queues empty. */
      idleCpuPerSecond: Object.fromEntries(processes.map((p, i) => [p.name, Math.round(idleRate[i]! * 1000) / 1000])),
      queueMessages: published,
      /** NATS traffic per 1,000 FlowFiles: client messages into and out of nats-server, JetStream API requests. */
      natsPerThousandFlowFiles: {
        inMsgs: Math.round(((counters1.inMsgs - counters0.inMsgs) / linear.created) * 1000 * 10) / 10,
        outMsgs: Math.round(((counters1.outMsgs - counters0.outMsgs) / linear.created) * 1000 * 10) / 10,
        apiRequests: Math.round(((counters1.api - counters0.api) / linear.created) * 1000 * 10) / 10,
      },
      // Each FlowFile crosses the flow's three connections.
      flowFilesPerQueueMessage: Math.round(((linear.created * 3) / published) * 10) / 10,
      flowFileShare: Object.fromEntries(workerProcesses.map((p) => [p.name, Math.round((work[p.name] ?? 0) / passes)])),
    };
  } finally {
    await Promise.allSettled(processes.map((p) => p.stop()));
    await nats.stop();
    await rm(data, { recursive: true, force: true });
  }
}

function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : Math.round((a / b) * 100) / 100;
}

const runs = [];
for (const n of counts) runs.push(await runWith(n));
const one = runs.find((r) => r.workers === 1);
const two = runs.find((r) => r.workers === 2);
const cores = os.cpus().length;
// A readable summary first; the JSON line stays last (bench/run.ts reads the last line).
for (const r of runs) {
  const c = r.cpuSecondsPerMillionFlowFiles;
  const each = Object.keys(r.flowFileShare)
    .map((w) => `${w} ${c[w]} (share ${r.flowFileShare[w]} FlowFiles)`)
    .join(', ');
  process.stdout.write(
    `${r.workers} worker(s): ${r.flowFilesPerSecond} FlowFiles/s; CPU-s per 1,000,000 FlowFiles: ${each}; all workers ${c.allWorkers} (${r.cpuSecondsPerMillionFlowFilesNetOfIdle.allWorkers} net of idle); server ${c.server}; nats-server ${c['nats-server']}\n`,
  );
}
if (one && two) {
  const r = ratio(
    two.cpuSecondsPerMillionFlowFiles.allWorkers ?? null,
    one.cpuSecondsPerMillionFlowFiles.allWorkers ?? null,
  );
  process.stdout.write(`CPU cost per FlowFile, two workers against one: ${r} (at most 1.10 is the target)\n`);
}
process.stdout.write(
  `Throughput scale-out needs more cores than this machine has (${cores}): each worker wants a core of its own besides nats-server and the server process. Shown instead: the CPU cost per FlowFile with one and two workers.\n`,
);
process.stdout.write(
  `${JSON.stringify({
    scenario: 'cluster',
    description: 'scenario 1 (linear) on NATS in cluster mode, N workers',
    cpus: os.cpus().length,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    runs,
    ...(one &&
      two && {
        speedup: Math.round((two.flowFilesPerSecond / one.flowFilesPerSecond) * 100) / 100,
        // The cost of a FlowFile with two workers against one: at most 1.10 is the target.
        costRatioTwoToOne: {
          allWorkers: ratio(
            two.cpuSecondsPerMillionFlowFiles.allWorkers ?? null,
            one.cpuSecondsPerMillionFlowFiles.allWorkers ?? null,
          ),
          // Each of the two workers against the one worker alone.
          ...Object.fromEntries(
            Object.keys(two.flowFileShare).map((w) => [
              w,
              ratio(two.cpuSecondsPerMillionFlowFiles[w] ?? null, one.cpuSecondsPerMillionFlowFiles.w1 ?? null),
            ]),
          ),
        },
      }),
    note:
      `throughput scale-out needs more cores than this machine's ${os.cpus().length}: a worker each, besides nats-server ` +
      'and the server process; with 2 cores a second worker shares them, so the figure that scales is the cost per ' +
      'FlowFile (cpuSecondsPerMillionFlowFiles, costRatioTwoToOne), not FlowFiles/s',
  })}\n`,
);
