/**
 * A live edit in cluster mode (one process, a real nats-server, two workers): the server stores a new
 * definition, each worker applies it to the engine it runs (the same applyFlow as the server), so only the
 * edited processor restarts; the primary-only source keeps running on the primary (and stays stopped on the
 * other worker), and every FlowFile arrives once.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { waitFor } from '../../test/helpers/wait-for';
import { defineProcessor } from '../engine/contract';
import { startTestCluster, type TestCluster } from './cluster-test-kit';
import type { ClusterWorker } from './cluster-worker';

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

let cluster: TestCluster;
const workers = () => cluster.workers;
const api = (method: string, route: string, body?: unknown) => cluster.api(method, route, body);

beforeAll(async () => {
  cluster = await startTestCluster(registry, { name: 'cluster-live-edit', workers: ['w1', 'w2'] });
});

afterAll(async () => {
  await cluster?.stop();
});

test('an edit of one processor reaches every worker and restarts only it there; every FlowFile arrives once', async () => {
  await api('POST', '/flows', flowWith('v1'));
  await api('POST', `/flows/${flowId}/start`);
  await waitFor(() => arrivals.length >= 200, 'the first arrivals', 20_000);
  const before = workers().map(({ worker }) => {
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
  await waitFor(() => workers().every(({ worker }) => tagOf(worker) === '"v2"'), 'the edit on both workers');
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
