import request from 'supertest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, pipeFlow, startTestServer, type TestServer } from './api-helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

const api = () => request(t.url);
const queueOf = async (flow: string) =>
  (await api().get(`/api/flows/${flow}/status`).expect(200)).body.connections['gen-to-log'].count as number;

/** A running pipe whose "log" processor is held stopped, with at least `min` FlowFiles waiting. */
async function heldPipe(id: string, min: number, count = 0) {
  await api()
    .post('/api/flows')
    .send(pipeFlow(id, { count, period: '20ms' }))
    .expect(201);
  await api().post(`/api/flows/${id}/processors/log/stop`).expect(200);
  await api().post(`/api/flows/${id}/start`).expect(200);
  await eventually(async () => (await queueOf(id)) >= min);
}

describe('start, stop and status', () => {
  test('a flow runs to completion and reports counters; stop stops it', async () => {
    await api()
      .post('/api/flows')
      .send(pipeFlow('run', { count: 5, period: '10ms' }))
      .expect(201);
    const before = await api().get('/api/flows/run/status').expect(200);
    expect(before.body).toMatchObject({
      flowId: 'run',
      running: false,
      state: 'stopped',
      validation: { valid: true, issues: [] },
      stoppedProcessors: [],
    });
    const started = await api().post('/api/flows/run/start').expect(200);
    expect(started.body).toEqual({ flowId: 'run', state: 'running', failures: [] });
    const status = await eventually(async () => {
      const s = (await api().get('/api/flows/run/status')).body;
      return s.processors.log.in === 5 ? s : undefined;
    });
    expect(status.state).toBe('running');
    expect(status.processors.gen).toMatchObject({ state: 'running', out: 5, errors: 0 });
    expect(status.connections['gen-to-log']).toMatchObject({
      count: 0,
      objectThreshold: 10000,
      backPressured: false,
    });
    expect((await api().post('/api/flows/run/stop').expect(200)).body).toEqual({ flowId: 'run', state: 'stopped' });
    const after = (await api().get('/api/flows/run/status')).body;
    expect(after.processors.gen.state).toBe('stopped');
    expect(after.processors.log.in).toBe(5); // counters survive a stop
  });

  test('processors start and stop one by one; a held processor stays stopped across flow restarts', async () => {
    await heldPipe('held', 3);
    let status = (await api().get('/api/flows/held/status')).body;
    expect(status.processors.log.state).toBe('stopped');
    expect(status.stoppedProcessors).toEqual(['log']);
    await api().post('/api/flows/held/stop').expect(200);
    await api().post('/api/flows/held/start').expect(200);
    status = (await api().get('/api/flows/held/status')).body;
    expect(status.processors.gen.state).toBe('running');
    expect(status.processors.log.state).toBe('stopped');
    const started = await api().post('/api/flows/held/processors/log/start').expect(200);
    expect(started.body).toEqual({ flowId: 'held', processorId: 'log', state: 'running' });
    await eventually(async () => (await queueOf('held')) === 0);
    await api().post('/api/flows/held/stop').expect(200);
  });

  test('errors: unknown flow or processor 404, starting a processor of a stopped flow 409', async () => {
    await api().post('/api/flows').send(pipeFlow('idle')).expect(201);
    const conflict = await api().post('/api/flows/idle/processors/log/start').expect(409);
    expect(conflict.body.error).toMatch(/start the flow first/);
    await api().post('/api/flows/idle/processors/ghost/stop').expect(404);
    await api().post('/api/flows/ghost/start').expect(404);
    await api().post('/api/flows/ghost/stop').expect(404);
    await api().get('/api/flows/ghost/status').expect(404);
  });
});

describe('queues', () => {
  test('list, content in three formats, empty with DROP provenance', async () => {
    await heldPipe('q', 4);
    const list = await api().get('/api/flows/q/connections/gen-to-log/queue?limit=3').expect(200);
    expect(list.body.flowId).toBe('q');
    expect(list.body.count).toBeGreaterThanOrEqual(4);
    expect(list.body.flowFiles).toHaveLength(3);
    const first = list.body.flowFiles[0];
    expect(first).toMatchObject({ position: 0, size: 5, penalized: false });
    expect(first.attributes['generate.index']).toBe('0');
    expect(first.ageMs).toBeGreaterThanOrEqual(0);

    const base = `/api/flows/q/connections/gen-to-log/queue/${first.id}/content`;
    const raw = await api().get(base).expect(200);
    expect(raw.headers['content-type']).toMatch(/^text\/plain/);
    expect(raw.headers['x-sluice-content-size']).toBe('5');
    expect(raw.headers['x-sluice-truncated']).toBe('false');
    expect(raw.headers['content-security-policy']).toMatch(/sandbox/);
    expect(raw.text).toBe('hello');
    expect((await api().get(`${base}?format=text`).expect(200)).text).toBe('hello');
    expect((await api().get(`${base}?format=hex`).expect(200)).text).toBe(
      '00000000  68 65 6c 6c 6f                                    |hello|\n',
    );
    await api().get(`${base}?format=pdf`).expect(400);
    await api().get('/api/flows/q/connections/gen-to-log/queue/nope/content').expect(404);
    await api().get('/api/flows/q/connections/ghost/queue').expect(404);
    const badLimit = await api().get('/api/flows/q/connections/gen-to-log/queue?limit=0').expect(400);
    expect(badLimit.body.details).toEqual([{ path: '/query/limit', message: 'must be an integer from 1 to 1000' }]);

    await api().post('/api/flows/q/processors/gen/stop').expect(200);
    const waiting = await queueOf('q');
    const emptied = await api().delete('/api/flows/q/connections/gen-to-log/queue').expect(200);
    expect(emptied.body).toEqual({ flowId: 'q', connectionId: 'gen-to-log', dropped: waiting });
    expect(await queueOf('q')).toBe(0);
    const drops = await api().get('/api/provenance?flowId=q&type=DROP&limit=1000').expect(200);
    expect(drops.body).toHaveLength(waiting);
    expect(drops.body[0]).toMatchObject({ componentId: 'gen-to-log', componentType: 'Connection' });
    await api().post('/api/flows/q/stop').expect(200);
  });

  test('content is capped', async () => {
    const big = await startTestServer({});
    try {
      const flow = pipeFlow('big', { count: 1 });
      (flow.processors[0]!.config as Record<string, unknown>).randomSize = 2 * 1024 * 1024;
      await request(big.url).post('/api/flows').send(flow).expect(201);
      await request(big.url).post('/api/flows/big/processors/log/stop').expect(200);
      await request(big.url).post('/api/flows/big/start').expect(200);
      const list = await eventually(async () => {
        const r = await request(big.url).get('/api/flows/big/connections/gen-to-log/queue');
        return r.body.flowFiles.length === 1 ? r.body : undefined;
      });
      const res = await request(big.url)
        .get(`/api/flows/big/connections/gen-to-log/queue/${list.flowFiles[0].id}/content?format=text`)
        .expect(200);
      expect(res.headers['x-sluice-truncated']).toBe('true');
      expect(res.headers['x-sluice-content-size']).toBe(String(2 * 1024 * 1024));
      expect(Buffer.byteLength(res.text)).toBeLessThanOrEqual(3 * 1024 * 1024); // 1 MiB of bytes as UTF-8 text
    } finally {
      await big.close();
    }
  });
});

describe('PUT while running', () => {
  test('the new definition takes over the queues: waiting FlowFiles are kept and the flow keeps running', async () => {
    await heldPipe('live', 3);
    const waiting = await queueOf('live');
    const changed = pipeFlow('live', { count: 0, period: '20ms' });
    (changed.processors[0]!.config as Record<string, unknown>).content = 'changed';
    await api().put('/api/flows/live').send(changed).expect(200);
    const status = (await api().get('/api/flows/live/status')).body;
    expect(status.state).toBe('running');
    expect(status.processors.log.state).toBe('stopped'); // still held
    expect(status.connections['gen-to-log'].count).toBeGreaterThanOrEqual(waiting);
    expect(status.processors.gen.out).toBeGreaterThanOrEqual(waiting); // counters carried over
    // The FlowFiles queued before the edit are still there, and new ones carry the new content.
    const queue = '/api/flows/live/connections/gen-to-log/queue';
    const contentOf = async (id: string) => (await api().get(`${queue}/${id}/content`).expect(200)).text;
    const oldest = (await api().get(queue)).body.flowFiles[0];
    expect(oldest.attributes['generate.index']).toBe('0');
    expect(await contentOf(oldest.id)).toBe('hello');
    await eventually(async () => {
      const newest = (await api().get(`${queue}?limit=1000`)).body.flowFiles.at(-1);
      return (await contentOf(newest.id)) === 'changed';
    });
    await api().post('/api/flows/live/stop').expect(200);
  });

  test('a changed prioritizer moves the waiting FlowFiles to a queue ordered the new way', async () => {
    await heldPipe('order', 4);
    await api().post('/api/flows/order/processors/gen/stop').expect(200);
    const waiting = await queueOf('order');
    const fifo = (await api().get('/api/flows/order/connections/gen-to-log/queue?limit=1000')).body.flowFiles;
    expect(fifo[0].attributes['generate.index']).toBe('0');
    const flow = pipeFlow('order', { count: 0, period: '20ms' });
    (flow.connections[0] as Record<string, unknown>).prioritizer = 'newest-first';
    await api().put('/api/flows/order').send(flow).expect(200);
    expect(await queueOf('order')).toBe(waiting);
    const newest = (await api().get('/api/flows/order/connections/gen-to-log/queue?limit=1000')).body.flowFiles;
    expect(newest.map((f: { id: string }) => f.id).sort()).toEqual(fifo.map((f: { id: string }) => f.id).sort());
    expect(newest[0].attributes['generate.index']).toBe(String(waiting - 1));
    await api().post('/api/flows/order/stop').expect(200);
  });

  test('409 when the edit would drop a connection that holds FlowFiles', async () => {
    await heldPipe('keep', 2);
    const flow = pipeFlow('keep');
    const without = {
      ...flow,
      connections: [],
      processors: flow.processors.map((p) => (p.id === 'gen' ? { ...p, autoTerminate: ['success'] } : p)),
    };
    without.processors = without.processors.filter((p) => p.id !== 'log');
    const res = await api().put('/api/flows/keep').send(without).expect(409);
    expect(res.body.details[0]).toMatchObject({ path: '/connections' });
    expect(res.body.details[0].message).toMatch(/"gen-to-log" is removed but still holds \d+ FlowFile/);
    expect((await api().get('/api/flows/keep')).body.connections).toHaveLength(1); // unchanged
    expect((await api().get('/api/flows/keep/status')).body.state).toBe('running');
    await api().post('/api/flows/keep/stop').expect(200);
  });

  test('DELETE stops a running flow and drops what it held', async () => {
    await heldPipe('gone', 2);
    await api().delete('/api/flows/gone').expect(204);
    await api().get('/api/flows/gone/status').expect(404);
    const drops = await api().get('/api/provenance?flowId=gone&type=DROP&limit=1000').expect(200);
    expect(drops.body.length).toBeGreaterThanOrEqual(2);
  });
});

describe('provenance', () => {
  test('query, one event, lineage', async () => {
    await api()
      .post('/api/flows')
      .send(pipeFlow('prov', { count: 3 }))
      .expect(201);
    await api().post('/api/flows/prov/start').expect(200);
    const events = await eventually(async () => {
      const r = await api().get('/api/provenance?flowId=prov&type=DROP');
      return r.body.length === 3 ? r.body : undefined;
    });
    expect(events[0]).toMatchObject({ flowId: 'prov', type: 'DROP', componentId: 'log' });
    const creates = (await api().get('/api/provenance?flowId=prov&componentId=gen&type=CREATE&limit=2').expect(200))
      .body;
    expect(creates).toHaveLength(2);
    const one = (await api().get(`/api/provenance/${creates[0].eventId}`).expect(200)).body;
    expect(one).toEqual(creates[0]);
    const windowed = await api().get(
      `/api/provenance?flowId=prov&from=${one.time}&to=${new Date(one.time).toISOString()}`,
    );
    expect(windowed.body.every((e: { time: number }) => e.time === one.time)).toBe(true);

    const lineage = (await api().get(`/api/provenance/lineage/${one.flowFileId}`).expect(200)).body;
    expect(lineage.flowFileId).toBe(one.flowFileId);
    expect(lineage.nodes.map((n: { type: string }) => n.type)).toEqual(['CREATE', 'DROP']);
    expect(lineage.edges).toHaveLength(1);

    await api().get('/api/provenance/999999999').expect(404);
    await api().get('/api/provenance/abc').expect(400);
    await api().get('/api/provenance/lineage/no-such-flowfile').expect(404);
    const badType = await api().get('/api/provenance?type=EXPLODE').expect(400);
    expect(badType.body.details[0].path).toBe('/query/type');
    await api().get('/api/provenance?from=yesterday').expect(400);
    await api().get('/api/provenance?from=2000&to=1000').expect(400);
    await api().get('/api/provenance?limit=-1').expect(400);
    await api().post('/api/flows/prov/stop').expect(200);
  });
});

describe('GET /metrics', () => {
  test('queue depth, bytes, backpressure and processor counters in Prometheus format', async () => {
    await api()
      .post('/api/flows')
      .send(pipeFlow('m', { count: 4 }))
      .expect(201);
    await api().post('/api/flows/m/processors/log/stop').expect(200);
    await api().post('/api/flows/m/start').expect(200);
    await eventually(async () => (await queueOf('m')) === 4);
    const res = await api().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    const text = res.text;
    expect(text).toContain('sluice_connection_queue_depth{flow="m",connection="gen-to-log"} 4');
    expect(text).toContain('sluice_connection_queue_bytes{flow="m",connection="gen-to-log"} 20');
    expect(text).toContain('sluice_connection_backpressured{flow="m",connection="gen-to-log"} 0');
    expect(text).toContain('sluice_processor_flowfiles_out_total{flow="m",processor="gen",type="GenerateFlowFile"} 4');
    expect(text).toContain('sluice_processor_flowfiles_in_total{flow="m",processor="log",type="LogAttribute"} 0');
    expect(text).toContain('sluice_processor_errors_total{flow="m",processor="gen",type="GenerateFlowFile"} 0');
    expect(text).toContain('sluice_flow_running{flow="m"} 1');
    expect(text).toContain('sluice_processor_running{flow="m",processor="log",type="LogAttribute"} 0');
    await api().delete('/api/flows/m').expect(204);
    expect((await api().get('/metrics')).text).not.toContain('flow="m"');
  });
});
