/**
 * "Save what is not valid yet": the server stores a flow whatever its validity (as NiFi does). An invalid flow
 * has no engine, cannot start (409 naming its issues), and its status says why; a later valid save runs it.
 */
import request from 'supertest';
import { afterEach, describe, expect, test } from 'vitest';
import { eventually, pipeFlow, startTestServer, type TestServer } from './api-helpers';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const api = () => request(t!.url);

type Issue = { path: string; message: string };

describe('saving a flow that does not validate', () => {
  test('stored, listed, read back, refuses to start, its status names the issues; a valid PUT then runs it', async () => {
    t = await startTestServer();
    const flow = pipeFlow('draft', { count: 3 });
    // Config layer (count) and graph layer (log's output neither connected nor auto-terminated) at once.
    (flow.processors[0]!.config as Record<string, unknown>).count = 'many';
    flow.processors[1]!.autoTerminate = [];
    const created = await api().post('/api/flows').send(flow).expect(201);
    expect(created.headers.location).toBe('/api/flows/draft');
    expect(created.body).toMatchObject({ saved: true, valid: false, id: 'draft' });
    const paths = (created.body.issues as Issue[]).map((i) => i.path);
    expect(paths).toContain('/processors/0/config/count');
    expect(paths.some((p) => p.startsWith('/processors/1'))).toBe(true);

    expect((await api().get('/api/flows').expect(200)).body).toContainEqual({
      id: 'draft',
      name: 'Pipe draft',
      state: 'invalid',
      valid: false,
      processors: 2,
      connections: 1,
    });
    expect((await api().get('/api/flows/draft').expect(200)).body).toEqual(flow);

    const start = await api().post('/api/flows/draft/start').expect(409);
    expect(start.body.error).toMatch(/invalid and cannot start: 2 problem\(s\): \/processors\/0\/config\/count/);
    expect(start.body.details).toEqual(created.body.issues);
    await api().post('/api/flows/draft/processors/gen/start').expect(409);

    const status = (await api().get('/api/flows/draft/status').expect(200)).body;
    expect(status.state).toBe('invalid');
    expect(status.validation).toEqual({ valid: false, issues: created.body.issues });

    // Still invalid, differently: saved again, the issues follow the new definition.
    flow.processors[1]!.autoTerminate = ['success'];
    const again = await api().put('/api/flows/draft').send(flow).expect(200);
    expect(again.body).toEqual({
      saved: true,
      valid: false,
      id: 'draft',
      issues: [{ path: '/processors/0/config/count', message: 'must be integer' }],
    });

    const fixed = pipeFlow('draft', { count: 3 });
    expect((await api().put('/api/flows/draft').send(fixed).expect(200)).body).toEqual(fixed);
    const valid = (await api().get('/api/flows/draft/status').expect(200)).body;
    expect(valid.state).toBe('stopped');
    expect(valid.validation).toEqual({ valid: true, issues: [] });
    await api().post('/api/flows/draft/start').expect(200);
    await eventually(async () => {
      const s = (await api().get('/api/flows/draft/status')).body;
      return s.state === 'running' && s.processors.log.in === 3;
    });
  });

  test('the schema layer and the processors config are named together', async () => {
    t = await startTestServer();
    const flow = pipeFlow('layers') as ReturnType<typeof pipeFlow> & { colour?: string };
    flow.colour = 'red';
    (flow.processors[1]!.config as Record<string, unknown>).logLevel = 'loud';
    const res = await api().put('/api/flows/layers').send(flow).expect(404);
    expect(res.body.error).toMatch(/no flow "layers"/);
    const created = await api().post('/api/flows').send(flow).expect(201);
    const paths = (created.body.issues as Issue[]).map((i) => i.path);
    expect(paths).toContain('/colour');
    expect(paths).toContain('/processors/1/config/logLevel');
    expect((await api().post('/api/flows/validate').send(flow).expect(200)).body.valid).toBe(false);
  });

  test('a running flow saved invalid stops and keeps its queues; the next valid save runs it again', async () => {
    t = await startTestServer();
    const flow = pipeFlow('live', { count: 5 });
    await api().post('/api/flows').send(flow).expect(201);
    await api().post('/api/flows/live/processors/log/stop').expect(200);
    await api().post('/api/flows/live/start').expect(200);
    await eventually(
      async () => (await api().get('/api/flows/live/status')).body.connections['gen-to-log'].count === 5,
    );

    // An invalid definition that drops the connection holding them is refused like a valid one: 409, named.
    const dropping = { ...structuredClone(flow), connections: [] };
    const refused = await api().put('/api/flows/live').send(dropping).expect(409);
    expect(refused.body.details).toEqual([
      {
        path: '/connections',
        message:
          'connection "gen-to-log" is removed but still holds 5 FlowFile(s); empty its queue first or keep the connection',
      },
    ]);
    expect((await api().get('/api/flows/live/status').expect(200)).body.state).toBe('running');
    expect((await api().get('/api/flows/live').expect(200)).body).toEqual(flow);

    const broken = structuredClone(flow);
    (broken.processors[1]!.config as Record<string, unknown>).logLevel = 'loud';
    expect((await api().put('/api/flows/live').send(broken).expect(200)).body.valid).toBe(false);
    const parked = (await api().get('/api/flows/live/status').expect(200)).body;
    expect(parked.state).toBe('invalid');
    expect(parked.running).toBe(false);
    // The FlowFiles wait where they were; the queue can still be listed.
    expect(parked.connections['gen-to-log'].count).toBe(5);
    expect((await api().get('/api/flows/live/connections/gen-to-log/queue').expect(200)).body.flowFiles).toHaveLength(
      5,
    );

    await api().put('/api/flows/live').send(flow).expect(200);
    const back = (await api().get('/api/flows/live/status').expect(200)).body;
    expect(back.state).toBe('running');
    expect(back.stoppedProcessors).toEqual(['log']);
    expect(back.connections['gen-to-log'].count).toBe(5);
    await api().post('/api/flows/live/processors/log/start').expect(200);
    await eventually(async () => (await api().get('/api/flows/live/status')).body.processors.log.in === 5);
  });

  test('an invalid flow survives a restart as it was saved', async () => {
    t = await startTestServer();
    const flow = pipeFlow('kept');
    (flow.processors[0]!.config as Record<string, unknown>).count = -1;
    await api().post('/api/flows').send(flow).expect(201);
    const dataDir = t.dataDir;
    await t.close(true);
    t = await startTestServer({ dataDir });
    expect((await api().get('/api/flows/kept').expect(200)).body).toEqual(flow);
    expect((await api().get('/api/flows/kept/status').expect(200)).body.validation.valid).toBe(false);
  });

  test('400 for a body that is not an object or has no usable id; the id must match the URL', async () => {
    t = await startTestServer();
    await api().post('/api/flows').send(pipeFlow('here')).expect(201);
    for (const body of [[1, 2], { name: 'no id' }, { id: '../etc/passwd', processors: [] }, { id: 7 }]) {
      const res = await api().post('/api/flows').send(body).expect(400);
      expect(Array.isArray(res.body.details)).toBe(true);
      await api().put('/api/flows/here').send(body).expect(400);
    }
    await api().post('/api/flows').set('content-type', 'application/json').send('5').expect(400);
    const other = { ...pipeFlow('there'), processors: [] };
    const mismatch = await api().put('/api/flows/here').send(other).expect(400);
    expect(mismatch.body.details).toEqual([{ path: '/id', message: 'must be "here", the id in the URL' }]);
    await api().post('/api/flows').send({ id: 'here', broken: true }).expect(409);
    expect((await api().get('/api/flows').expect(200)).body.map((f: { id: string }) => f.id)).toEqual(['here']);
  });
});
