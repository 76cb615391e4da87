/**
 * Cluster mode with real processes on loopback: a three-node nats-server cluster (routes, JetStream on each,
 * R3 streams and buckets), one `sluice serve --nats --no-worker` and two `sluice worker --nats` processes.
 *
 * The flow: GetFile (primary only, a file of 1,000 lines every 100 ms at most) → UpdateAttribute → SplitText (a
 * FlowFile per line) → MergeContent → PutFile, all but the source on every worker. Each line names its
 * FlowFile, so the output files tell which arrived and how often. 50,000 FlowFiles pass and each arrives
 * exactly once; then 30,000 more start and, mid-flow, one NATS node and the primary worker are killed
 * (SIGKILL): every FlowFile still arrives at least once, duplicates are counted, and the surviving worker
 * takes over GetFile.
 */
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ClusterFlowStatus } from '../../server/cluster/aggregate-status';
import type { WorkerSummary } from '../../server/cluster/cluster-view';
import { type NatsClusterHandle, startNatsCluster } from '../helpers/nats-cluster';
import { freePort } from '../helpers/ports';
import { waitFor } from '../helpers/wait-for';
import { type SluiceProcess, spawnSluice } from './sluice-process';

const LINES = 1000;
const FIRST = 50_000;
const SECOND = 30_000;
const FLOW_ID = 'cluster-lines';

let cluster: NatsClusterHandle;
let base: string;
let apiUrl: string;
const processes: SluiceProcess[] = [];
const workers = new Map<string, SluiceProcess>();

/** Input file `n` holds FlowFiles n×1000 … n×1000+999, one line each. */
async function writeInputs(dir: string, fromFile: number, toFile: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let f = fromFile; f < toFile; f++) {
    const lines = Array.from({ length: LINES }, (_, k) => `flowfile ${f * LINES + k}\n`);
    await writeFile(path.join(dir, `in-${String(f).padStart(4, '0')}.txt`), lines.join(''));
  }
}

/** FlowFile number → how many times it arrived, read from every file PutFile wrote. */
async function arrivals(): Promise<Map<number, number>> {
  const copies = new Map<number, number>();
  const out = path.join(base, 'out');
  for (const name of await readdir(out)) {
    if (name.startsWith('.')) continue;
    for (const line of (await readFile(path.join(out, name), 'utf8')).split('\n')) {
      if (!line) continue;
      const n = Number(line.slice('flowfile '.length));
      copies.set(n, (copies.get(n) ?? 0) + 1);
    }
  }
  return copies;
}

async function api<T>(method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${apiUrl}/api${route}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const listWorkers = () => api<{ workers: WorkerSummary[]; primary: string | null }>('GET', '/workers');
const flowStatus = () => api<ClusterFlowStatus>('GET', `/flows/${FLOW_ID}/status`);

const clusterArgs = () => ['--nats', cluster.url, '--replicas', '3', '--lease-ttl', '3s', '--status-interval', '500ms'];

function startWorker(name: string): SluiceProcess {
  const p = spawnSluice(name, ['worker', ...clusterArgs(), '--name', name, '--data', base, '--nats-ack-wait', '5s']);
  processes.push(p);
  workers.set(name, p);
  return p;
}

/** Throws at once when a process that should run has exited (its stderr tells why). */
function checkAlive(except: string[] = []): void {
  const gone = processes.find((p) => p.gone && !except.includes(p.name));
  if (gone) throw new Error(`${gone.name} exited:\n${gone.stderr().slice(-3000)}`);
}

/** The process tails, for a failure message. */
const tails = () => processes.map((p) => `--- ${p.name} (pid ${p.pid}):\n${p.stderr().slice(-2000)}`).join('\n');

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'sluice-cluster-'));
  const [started] = await Promise.all([
    startNatsCluster(),
    writeInputs(path.join(base, 'in'), 0, FIRST / LINES),
    writeInputs(path.join(base, 'stage'), FIRST / LINES, (FIRST + SECOND) / LINES),
    mkdir(path.join(base, 'out')),
  ]);
  cluster = started;
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  processes.push(
    spawnSluice('server', ['serve', ...clusterArgs(), '--no-worker', '--port', String(port), '--data', base]),
  );
  startWorker('w1');
  startWorker('w2');
  await waitFor(
    async () => {
      checkAlive();
      const list = await listWorkers().catch(() => undefined);
      return list?.workers.filter((w) => w.alive).length === 2;
    },
    'the server and two live workers',
    60_000,
  ).catch((err) => {
    throw new Error(`${(err as Error).message}\n${tails()}`);
  });
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(processes.map((p) => p.stop()));
  await cluster?.stop();
  if (base) await rm(base, { recursive: true, force: true });
});

describe('cluster: three NATS nodes, a server and two workers, real processes', () => {
  test('50,000 FlowFiles arrive exactly once, shared by both workers, the source on the primary only', async () => {
    const flow = {
      schemaVersion: 1,
      id: FLOW_ID,
      name: 'Lines through the cluster',
      processors: [
        {
          id: 'src',
          type: 'GetFile',
          executionMode: 'primary',
          config: { directory: path.join(base, 'in'), batchSize: 1 },
          schedule: { period: '100ms' },
        },
        // Without a file name, PutFile names each merged file by its FlowFile id: never a clash.
        { id: 'strip', type: 'UpdateAttribute', config: { delete: ['filename'] }, autoTerminate: ['failure'] },
        { id: 'split', type: 'SplitText', config: { lineCount: 1 }, autoTerminate: ['original', 'failure'] },
        { id: 'merge', type: 'MergeContent', config: { maxEntries: 1000 }, autoTerminate: ['original', 'failure'] },
        { id: 'put', type: 'PutFile', config: { directory: path.join(base, 'out') }, autoTerminate: ['success'] },
      ],
      connections: [
        { id: 'c1', source: 'src', relationships: ['success'], target: 'strip' },
        { id: 'c2', source: 'strip', relationships: ['success'], target: 'split' },
        { id: 'c3', source: 'split', relationships: ['splits'], target: 'merge' },
        { id: 'c4', source: 'merge', relationships: ['merged'], target: 'put' },
        { id: 'retry', source: 'put', relationships: ['failure'], target: 'put' },
      ],
    };
    await api('POST', '/flows', flow);
    await api('POST', `/flows/${FLOW_ID}/start`);
    await waitFor(
      async () => {
        checkAlive();
        return (await arrivals()).size >= FIRST;
      },
      `${FIRST} FlowFiles out`,
      120_000,
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n${tails()}`);
    });
    const copies = await arrivals();
    expect(copies.size).toBe(FIRST);
    const notOnce = Array.from({ length: FIRST }, (_, n) => n).filter((n) => copies.get(n) !== 1);
    expect(notOnce).toEqual([]);
    expect(await readdir(path.join(base, 'in'))).toEqual([]);

    const { workers: list, primary } = await listWorkers();
    expect(list.map((w) => w.name)).toEqual(['w1', 'w2']);
    expect(primary === 'w1' || primary === 'w2').toBe(true);
    const other = primary === 'w1' ? 'w2' : 'w1';
    let last: ClusterFlowStatus | undefined;
    const status = (await waitFor(async () => {
      last = await flowStatus();
      const { split, merge } = last.processors;
      return split!.in === FIRST / LINES && split!.out === FIRST && merge!.in === FIRST ? last : undefined;
    }, 'aggregated counters').catch((err) => {
      const counts = Object.values(last?.processors ?? {}).map((p) => ({
        id: p.id,
        in: p.in,
        out: p.out,
        workers: p.workers,
      }));
      throw new Error(`${(err as Error).message}: ${JSON.stringify(counts)}`);
    }))!;
    expect(status.processors.src!.out).toBe(FIRST / LINES);
    // The source ran on the primary only; both workers split and merged.
    expect(status.processors.src!.workers[primary!]!.state).toBe('running');
    expect(status.processors.src!.workers[other]!.state).toBe('stopped');
    expect(status.processors.src!.workers[other]!.out).toBe(0);
    expect(status.processors.merge!.workers.w1!.in).toBeGreaterThan(0);
    expect(status.processors.merge!.workers.w2!.in).toBeGreaterThan(0);

    // --replicas 3: the flow's queues, the provenance and the cluster buckets have a copy on every node.
    const nc = await connect({ servers: cluster.url.split(',') });
    try {
      const jsm = await nc.jetstreamManager();
      for (const stream of [
        `SLUICE_FLOW_${FLOW_ID}`,
        'SLUICE_PROVENANCE',
        'KV_sluice_flows',
        'KV_sluice_workers',
        'KV_sluice_leases',
      ])
        expect((await jsm.streams.info(stream)).config.num_replicas, stream).toBe(3);
    } finally {
      await nc.close();
    }
  }, 150_000);

  test('a NATS node and the primary worker die mid-flow: nothing is lost, the survivor takes over', async () => {
    const before = (await listWorkers()).primary!;
    const survivor = before === 'w1' ? 'w2' : 'w1';
    const stage = path.join(base, 'stage');
    for (const name of await readdir(stage)) await rename(path.join(stage, name), path.join(base, 'in', name));

    await waitFor(
      async () => (await flowStatus()).processors.split!.in >= FIRST / LINES + 5,
      'the second batch under way',
      60_000,
    );
    await Promise.all([cluster.killNode(0), workers.get(before)!.stop('SIGKILL')]);

    await waitFor(
      async () => (await listWorkers().catch(() => undefined))?.primary === survivor,
      `${survivor} becomes the primary`,
      30_000,
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n${tails()}`);
    });
    await waitFor(
      async () => {
        checkAlive([before]);
        return (await arrivals()).size === FIRST + SECOND && (await readdir(path.join(base, 'in'))).length === 0;
      },
      'every FlowFile of the second batch out',
      150_000,
    ).catch(async (err) => {
      throw new Error(`${(err as Error).message}: ${(await arrivals()).size} distinct out\n${tails()}`);
    });

    const copies = await arrivals();
    const missing = Array.from({ length: FIRST + SECOND }, (_, n) => n).filter((n) => !copies.has(n));
    expect(missing).toEqual([]);
    const duplicates = [...copies.values()].reduce((sum, c) => sum + c - 1, 0);
    const status = await flowStatus();
    console.log(
      `cluster fault test: ${FIRST + SECOND} distinct FlowFiles arrived, ${duplicates} duplicate(s) after the kills; ` +
        `the status reports ${Object.values(status.connections).reduce((n, c) => n + (c.redelivered ?? 0), 0)} ` +
        'FlowFile(s) redelivered to the survivor',
    );

    await waitFor(
      async () => (await listWorkers()).workers.find((w) => w.name === before)?.state === 'lost',
      'the killed worker shown as lost',
      15_000,
    );
    const { workers: list, primary } = await listWorkers();
    expect(primary).toBe(survivor);
    expect(list.find((w) => w.name === survivor)).toMatchObject({ alive: true, primary: true, state: 'running' });
    expect(list.find((w) => w.name === before)).toMatchObject({ alive: false, primary: false, state: 'lost' });
    expect(status.processors.src!.workers[survivor]!.state).toBe('running');
    expect(status.cluster.workers.map((w) => w.name)).toEqual([survivor]);
  }, 240_000);
});
