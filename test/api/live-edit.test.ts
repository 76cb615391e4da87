/**
 * Editing a running flow through the API (PUT /api/flows/:id) applies the change to it as it runs: only what
 * changed restarts, the queues keep their FlowFiles and a bounded source does not count again. On memory queues,
 * where no repository remembers a processor's state across a restart.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, pipeFlow, startTestServer, type TestServer } from './api-helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ queues: 'memory' });
});
afterAll(async () => {
  await t.close();
});

const api = () => request(t.url);
const status = async (id: string) => (await api().get(`/api/flows/${id}/status`).expect(200)).body;
const engine = (id: string) => t.server.manager.engine(id)!;
const created = async (id: string) =>
  (await api().get(`/api/provenance?flowId=${id}&type=CREATE&limit=1000`).expect(200)).body.length as number;

/** Generate → Tag (UpdateAttribute) → Log. */
function chain(id: string, count: number, tag = 'v1') {
  const flow = pipeFlow(id, { count, period: '0s', batchSize: 100 });
  const [gen, log] = flow.processors;
  return {
    ...flow,
    processors: [
      gen!,
      {
        id: 'tag',
        type: 'UpdateAttribute',
        name: 'Tag',
        position: { x: 0, y: 100 },
        config: { attributes: { tag: JSON.stringify(tag) } },
        autoTerminate: ['failure'],
      },
      log!,
    ] as Record<string, unknown>[],
    connections: [
      { id: 'gen-to-tag', source: 'gen', relationships: ['success'], target: 'tag', backPressure: { objects: 1000 } },
      { id: 'tag-to-log', source: 'tag', relationships: ['success'], target: 'log', backPressure: { objects: 1000 } },
    ] as Record<string, unknown>[],
  };
}

describe('live edits through the API', () => {
  test('stop Log, edit its prefix, start it: Generate (count 5) produced 5 in all', async () => {
    const flow = pipeFlow('prefix', { count: 5, period: '10ms' });
    await api().post('/api/flows').send(flow).expect(201);
    await api().post('/api/flows/prefix/start').expect(200);
    await eventually(async () => (await status('prefix')).processors.log.in === 5);
    const gen = engine('prefix').processor('gen');
    await api().post('/api/flows/prefix/processors/log/stop').expect(200);
    const edited = structuredClone(flow);
    (edited.processors[1]!.config as Record<string, unknown>).prefix = 'edited: ';
    await api().put('/api/flows/prefix').send(edited).expect(200);
    expect(engine('prefix').processor('gen')).toBe(gen); // never stopped
    expect((await status('prefix')).processors.log.state).toBe('stopped'); // stopped by hand: stays so
    await api().post('/api/flows/prefix/processors/log/start').expect(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(await created('prefix')).toBe(5);
    const s = await status('prefix');
    expect(s.processors.gen.out).toBe(5);
    expect(s.processors.log.in).toBe(5);
    expect(s.processors.log.state).toBe('running');
    expect(engine('prefix').processor('log').spec.config).toMatchObject({ prefix: 'edited: ' });
    await api().post('/api/flows/prefix/stop').expect(200);
  });

  test('editing the middle processor while 10,000 FlowFiles flow: all 10,000 arrive, only it restarted', async () => {
    await api().post('/api/flows').send(chain('busy', 10_000)).expect(201);
    await api().post('/api/flows/busy/start').expect(200);
    await eventually(async () => (await status('busy')).processors.log.in >= 500);
    const before = Object.fromEntries([...engine('busy').processors].map(([id, p]) => [id, p]));
    const counted = await status('busy');
    expect(counted.processors.gen.out).toBeLessThan(10_000);
    await api()
      .put('/api/flows/busy')
      .send(chain('busy', 10_000, 'v2'))
      .expect(200);
    const after = engine('busy');
    expect(after.processor('gen')).toBe(before.gen);
    expect(after.processor('log')).toBe(before.log);
    expect(after.processor('tag')).not.toBe(before.tag);
    expect(after.processor('tag').stats.counters.in).toBeGreaterThanOrEqual(counted.processors.tag.in);
    await eventually(async () => (await status('busy')).processors.log.in === 10_000, 30_000);
    await new Promise((r) => setTimeout(r, 200));
    const s = await status('busy');
    expect(s.processors.gen.out).toBe(10_000);
    expect(s.processors.tag.in).toBe(10_000);
    expect(s.processors.log.in).toBe(10_000);
    expect(s.processors.log.in).toBeGreaterThan(counted.processors.log.in);
    for (const c of Object.values(s.connections) as { count: number }[]) expect(c.count).toBe(0);
    await api().post('/api/flows/busy/stop').expect(200);
  });

  test('adding a processor and a connection to a running flow starts it; Generate goes on counting', async () => {
    const flow = pipeFlow('grow', { count: 0, period: '10ms' });
    await api().post('/api/flows').send(flow).expect(201);
    await api().post('/api/flows/grow/start').expect(200);
    await eventually(async () => (await status('grow')).processors.log.in >= 5);
    const log = engine('grow').processor('log');
    const grown = structuredClone(flow) as typeof flow & { processors: Record<string, unknown>[] };
    grown.processors.push({
      id: 'tap',
      type: 'LogAttribute',
      position: { x: 200, y: 200 },
      config: { logLevel: 'none' },
      autoTerminate: ['success'],
    });
    grown.connections.push({ id: 'gen-to-tap', source: 'gen', relationships: ['success'], target: 'tap' });
    await api().put('/api/flows/grow').send(grown).expect(200);
    expect(engine('grow').processor('log')).toBe(log); // untouched
    await eventually(async () => (await status('grow')).processors.tap.in >= 5);
    const s = await status('grow');
    expect(s.processors.tap.state).toBe('running');
    expect(s.processors.log.state).toBe('running');
    await api().post('/api/flows/grow/stop').expect(200);
    // Generate, rebound to the new connection, went on from its last index: none came twice.
    const events = (await api().get('/api/provenance?flowId=grow&type=CREATE&limit=10000').expect(200)).body as {
      attributes: Record<string, string>;
    }[];
    const indexes = events.map((e) => e.attributes['generate.index']);
    expect(new Set(indexes).size).toBe(indexes.length);
  });

  test('removing a connection that holds FlowFiles: 409 naming it and its count, and nothing changes', async () => {
    const flow = pipeFlow('held', { count: 5, period: '0s' });
    await api().post('/api/flows').send(flow).expect(201);
    await api().post('/api/flows/held/processors/log/stop').expect(200);
    await api().post('/api/flows/held/start').expect(200);
    await eventually(async () => (await status('held')).connections['gen-to-log'].count === 5);
    const gen = engine('held').processor('gen');
    const without = {
      ...flow,
      processors: [{ ...flow.processors[0]!, autoTerminate: ['success'] }],
      connections: [],
    };
    const res = await api().put('/api/flows/held').send(without).expect(409);
    expect(res.body.details).toEqual([
      {
        path: '/connections',
        message:
          'connection "gen-to-log" is removed but still holds 5 FlowFile(s); empty its queue first or keep the connection',
      },
    ]);
    expect((await api().get('/api/flows/held').expect(200)).body).toEqual(flow);
    const s = await status('held');
    expect(s.state).toBe('running');
    expect(s.connections['gen-to-log'].count).toBe(5);
    expect(s.processors.log.state).toBe('stopped');
    expect(engine('held').processor('gen')).toBe(gen);
    // Emptied, the same edit goes through.
    await api().delete('/api/flows/held/connections/gen-to-log/queue').expect(200);
    await api().put('/api/flows/held').send(without).expect(200);
    expect(Object.keys((await status('held')).processors)).toEqual(['gen']);
    await api().post('/api/flows/held/stop').expect(200);
  });
});
