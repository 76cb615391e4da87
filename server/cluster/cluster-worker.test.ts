/**
 * Cluster mode in one process on a real nats-server: a server (API over the KV store, running no flow) and two
 * workers, each with its own NATS connection as separate processes would have. Checks that the workers run
 * what the server stores, share the work, run a primary-only source on one worker only, hand the primary
 * over, and that the server aggregates their status. test/cluster/ runs the same with real processes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { waitFor } from '../../test/helpers/wait-for';
import { defineProcessor } from '../engine/contract';
import { silentLogger } from '../engine/flow-engine';
import { NatsBackend } from '../nats/nats-backend';
import type { ClusterFlowStatus } from './aggregate-status';
import { openClusterBuckets } from './cluster-buckets';
import { startTestCluster, type TestCluster } from './cluster-test-kit';
import type { WorkerSummary } from './cluster-view';
import type { ClusterWorker } from './cluster-worker';
import { KvFlowStore } from './kv-flow-store';

/** Every FlowFile that reached a sink, by worker. */
const arrivals: { worker: string; index: string }[] = [];

const RecordingSink = defineProcessor({
  type: 'TestClusterSink',
  category: 'sink',
  description: 'Records the generate.index of every FlowFile it receives, with the worker name.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: { worker: { type: 'string', default: '' } },
  },
  relationships: [{ name: 'success', description: 'Everything.' }],
  async onTrigger(session, { logger }) {
    const worker = (logger as { worker?: string }).worker ?? '?';
    for (const ff of await session.get(500)) {
      arrivals.push({ worker, index: ff.attributes['generate.index'] ?? '' });
      session.transfer(ff, 'success');
    }
  },
});

const registry = createRegistry([RecordingSink]);
/** A logger that names its worker, so the sink can tell which worker it runs on. */
const loggerFor = (worker: string) => Object.assign(Object.create(silentLogger), { worker });

const COUNT = 3000;
const flow = {
  schemaVersion: 1,
  id: 'cluster-unit',
  name: 'Cluster unit',
  processors: [
    {
      id: 'gen',
      type: 'GenerateFlowFile',
      config: { content: 'x', batchSize: 50, count: COUNT },
      executionMode: 'primary',
    },
    { id: 'tag', type: 'UpdateAttribute', config: { attributes: { seen: '"yes"' } }, autoTerminate: ['failure'] },
    { id: 'sink', type: 'TestClusterSink', autoTerminate: ['success'] },
  ],
  connections: [
    { id: 'c1', source: 'gen', relationships: ['success'], target: 'tag' },
    { id: 'c2', source: 'tag', relationships: ['success'], target: 'sink' },
  ],
};

let cluster: TestCluster;
const workers = () => cluster.workers;
const startWorker = (name: string) => cluster.startWorker(name);
const api = <T = unknown>(method: string, route: string, body?: unknown) => cluster.api<T>(method, route, body);
const listWorkers = () => api<{ workers: WorkerSummary[]; primary: string | null }>('GET', '/workers');
const flowStatus = () => api<ClusterFlowStatus & { state: string }>('GET', `/flows/${flow.id}/status`);

beforeAll(async () => {
  cluster = await startTestCluster(registry, { name: 'cluster-unit', workers: ['w1', 'w2'], loggerFor });
});

afterAll(async () => {
  await cluster?.stop();
});

describe('cluster mode (one process, real NATS)', () => {
  test('the workers run a stored flow together; the primary-only source runs once; status is aggregated', async () => {
    await api('POST', '/flows', flow);
    await api('POST', `/flows/${flow.id}/start`);
    await waitFor(() => arrivals.length >= COUNT, `${COUNT} arrivals`, 30_000);
    // Nothing more arrives: the source ran on one worker only.
    await new Promise((r) => setTimeout(r, 500));
    const indexes = arrivals.map((a) => a.index);
    expect(indexes).toHaveLength(COUNT);
    expect(new Set(indexes).size).toBe(COUNT);

    const { workers: list, primary } = await listWorkers();
    expect(list.map((w) => [w.name, w.alive])).toEqual([
      ['w1', true],
      ['w2', true],
    ]);
    expect(list.filter((w) => w.primary)).toHaveLength(1);
    expect(primary).toBe(list.find((w) => w.primary)!.name);
    expect(list.every((w) => w.flows.includes(flow.id))).toBe(true);

    const status = (await waitFor(async () => {
      const s = await flowStatus();
      return s.processors.sink!.in === COUNT ? s : undefined;
    }, 'aggregated sink count'))!;
    expect(status.state).toBe('running');
    expect(status.processors.gen!.out).toBe(COUNT);
    expect(status.processors.gen!.workers[primary!]!.state).toBe('running');
    const other = list.find((w) => !w.primary)!.name;
    expect(status.processors.gen!.workers[other]!.state).toBe('stopped');
    expect(Object.keys(status.processors.sink!.workers).sort()).toEqual(['w1', 'w2']);
    expect(status.cluster.workers.map((w) => w.name)).toEqual(['w1', 'w2']);
  });

  test('stopping the flow on the server stops it on every worker', async () => {
    await api('POST', `/flows/${flow.id}/stop`);
    await waitFor(
      () => workers().every(({ worker }) => worker.engine(flow.id)?.isRunning === false),
      'engines stopped on both workers',
    );
    expect((await flowStatus()).state).toBe('stopped');
  });

  test('a new definition, a held processor and a deleted flow reach every worker', async () => {
    const changed = structuredClone(flow);
    changed.processors[1]!.config = { attributes: { seen: '"again"' } };
    changed.processors[0]!.config = { content: 'x', batchSize: 50, count: 0 };
    await api('PUT', `/flows/${flow.id}`, changed);
    await api('POST', `/flows/${flow.id}/start`);
    await api('POST', `/flows/${flow.id}/processors/sink/stop`);
    const tagOf = (w: ClusterWorker) => w.engine(flow.id)?.processor('tag').spec.config as { attributes?: object };
    await waitFor(
      () =>
        workers().every(({ worker }) => {
          const engine = worker.engine(flow.id);
          return (
            engine?.isRunning &&
            (tagOf(worker)?.attributes as { seen?: string })?.seen === '"again"' &&
            engine.processor('sink').state === 'stopped' &&
            engine.processor('tag').state === 'running'
          );
        }),
      'the new definition running on both workers, the sink held',
    );
    await api('DELETE', `/flows/${flow.id}`);
    await waitFor(() => workers().every(({ worker }) => worker.engine(flow.id) === undefined), 'the flow gone');
    // Put it back, stopped, for the tests below.
    await api('POST', '/flows', flow);
  });

  test('a worker that leaves hands the primary over at once; one that dies, within the lease TTL', async () => {
    const first = workers().find(({ worker }) => worker.isPrimary)!;
    const second = workers().find((w) => w !== first)!;
    await first.worker.stop();
    await waitFor(() => second.worker.isPrimary, 'the other worker takes over', 3000);
    const stopped = (await listWorkers()).workers.find((w) => w.name === first.worker.name)!;
    expect(stopped.state).toBe('stopped');
    expect(stopped.alive).toBe(false);

    const third = await startWorker('w3');
    expect(third.isPrimary).toBe(false);
    // The primary's connection drops without a goodbye: its lease lapses after the TTL and w3 takes it.
    second.backend.link.nc.close();
    await waitFor(() => third.isPrimary, 'w3 takes over after the TTL', 10_000);
    await waitFor(() => !second.worker.isPrimary, 'the cut-off worker steps down', 5000);
    await waitFor(
      async () => (await listWorkers()).workers.find((w) => w.name === second.worker.name)?.state === 'lost',
      'the silent worker is shown as lost',
      10_000,
    );
  });

  test('the KV store keeps flows and their state for the next server', async () => {
    const backend = await NatsBackend.open({ url: cluster.nats.url, provenance: false });
    try {
      const buckets = await openClusterBuckets(backend.link);
      const contents = await new KvFlowStore(buckets.flows).open();
      expect(contents.flows.map((f) => f.id)).toEqual([flow.id]);
      expect(contents.flows[0]!.json).toMatchObject({ id: flow.id, processors: flow.processors });
      expect(contents.state[flow.id]).toEqual({ running: false, stoppedProcessors: [] });
      expect(contents.fresh).toBe(false);
    } finally {
      await backend.close();
    }
  });
});
