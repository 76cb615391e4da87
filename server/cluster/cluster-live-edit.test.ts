/**
 * A live edit in cluster mode (one process, a real nats-server, two workers): the server stores a new
 * definition, each worker applies it to the engine it runs (the same applyFlow as the server), so only the
 * edited processor restarts; the primary-only source keeps running on the primary (and stays stopped on the
 * other worker), and every FlowFile arrives once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { type NatsServerHandle, startNats } from '../../test/helpers/nats-server';
import { waitFor } from '../../test/helpers/wait-for';
import { defineProcessor } from '../engine/contract';
import { silentLogger } from '../engine/flow-engine';
import { NatsBackend } from '../nats/nats-backend';
import { openClusterBuckets } from './cluster-buckets';
import { type RunningClusterServer, startClusterServer } from './cluster-server';
import { ClusterWorker } from './cluster-worker';

const arrivals: { index: string; tag: string }[] = [];

const Sink = defineProcessor({
  type: 'TestLiveEditSink',
  category: 'sink',
  description: 'Records the generate.index and tag of every FlowFile it receives.',
  input: 'required',
  config: { type: 'object', additionalProperties: false, properties: {} },
  relationships: [{ name: 'success', description: 'Everything.' }],
  async onTrigger(session) {
    for (const ff of await session.get(500)) {
      arrivals.push({ index: ff.attributes['generate.index'] ?? '', tag: ff.attributes.tag ?? '' });
      session.transfer(ff, 'success');
    }
  },
});

const registry = createRegistry([Sink]);
const COUNT = 2000;
const flowWith = (tag: string) => ({
  schemaVersion: 1,
  id: 'cluster-live-edit',
  name: 'Cluster live edit',
  processors: [
    {
      id: 'gen',
      type: 'GenerateFlowFile',
      config: { content: 'x', batchSize: 20, count: COUNT },
      schedule: { period: '10ms' },
      executionMode: 'primary',
    },
    {
      id: 'tag',
      type: 'UpdateAttribute',
      config: { attributes: { tag: JSON.stringify(tag) } },
      autoTerminate: ['failure'],
    },
    { id: 'sink', type: 'TestLiveEditSink', autoTerminate: ['success'] },
  ],
  connections: [
    { id: 'c1', source: 'gen', relationships: ['success'], target: 'tag' },
    { id: 'c2', source: 'tag', relationships: ['success'], target: 'sink' },
  ],
});
const flowId = 'cluster-live-edit';

let nats: NatsServerHandle;
let dataDir: string;
let server: RunningClusterServer;
const workers: { worker: ClusterWorker; backend: NatsBackend }[] = [];

async function startWorker(name: string) {
  const backend = await NatsBackend.open({ url: nats.url, ackWaitMs: 3000, provenance: false });
  const buckets = await openClusterBuckets(backend.link, { leaseTtlMs: 2000 });
  const worker = new ClusterWorker({
    backend,
    buckets,
    registry,
    logger: silentLogger,
    allowedDirs: [dataDir],
    name,
    statusIntervalMs: 300,
  });
  await worker.start();
  workers.push({ worker, backend });
  return worker;
}

async function api(method: string, route: string, body?: unknown): Promise<void> {
  const res = await fetch(`${server.url}/api${route}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
}

beforeAll(async () => {
  nats = await startNats();
  dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-cluster-live-edit-'));
  const backend = await NatsBackend.open({ url: nats.url, ackWaitMs: 3000, provenance: false });
  const buckets = await openClusterBuckets(backend.link, { leaseTtlMs: 2000 });
  server = await startClusterServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    registry,
    backend,
    buckets,
    logLevel: 'silent',
  });
  await startWorker('w1');
  await startWorker('w2');
});

afterAll(async () => {
  for (const { worker, backend } of workers) {
    await worker.stop().catch(() => {});
    await backend.close().catch(() => {});
  }
  await server?.close();
  await nats?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('an edit of one processor reaches every worker and restarts only it there; every FlowFile arrives once', async () => {
  await api('POST', '/flows', flowWith('v1'));
  await api('POST', `/flows/${flowId}/start`);
  await waitFor(() => arrivals.length >= 200, 'the first arrivals', 20_000);
  const before = workers.map(({ worker }) => {
    const engine = worker.engine(flowId)!;
    return { worker, engine, processors: new Map(engine.processors) };
  });
  const primary = before.find((b) => b.worker.isPrimary)!;
  const other = before.find((b) => b !== primary)!;
  expect(primary.engine.processor('gen').state).toBe('running');
  expect(other.engine.processor('gen').state).toBe('stopped');

  await api('PUT', `/flows/${flowId}`, flowWith('v2'));
  const tagOf = (w: ClusterWorker) =>
    (w.engine(flowId)!.processor('tag').spec.config as { attributes: Record<string, string> }).attributes.tag;
  await waitFor(() => workers.every(({ worker }) => tagOf(worker) === '"v2"'), 'the edit on both workers');
  for (const b of before) {
    expect(b.worker.engine(flowId)).toBe(b.engine);
    expect(b.engine.processor('gen')).toBe(b.processors.get('gen'));
    expect(b.engine.processor('sink')).toBe(b.processors.get('sink'));
    expect(b.engine.processor('tag')).not.toBe(b.processors.get('tag'));
    await waitFor(() => b.engine.processor('tag').state === 'running', 'the edited processor running again');
  }
  expect(other.engine.processor('gen').state).toBe('stopped'); // not primary: never started by the edit

  await waitFor(() => arrivals.length >= COUNT, `${COUNT} arrivals`, 30_000);
  await new Promise((r) => setTimeout(r, 500));
  const indexes = arrivals.map((a) => a.index);
  expect(indexes).toHaveLength(COUNT);
  expect(new Set(indexes).size).toBe(COUNT);
  expect(new Set(arrivals.map((a) => a.tag))).toEqual(new Set(['v1', 'v2']));
  expect(primary.engine.status().processors.gen!.out).toBe(COUNT);
});
