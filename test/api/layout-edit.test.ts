/** Moving cards or renaming a running flow (what the canvas saves while a flow runs) must not restart it. */
import request from 'supertest';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { eventually, pipeFlow, startTestServer, type TestServer } from './api-helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

const api = () => request(t.url);
const status = async (id: string) => (await api().get(`/api/flows/${id}/status`).expect(200)).body;

test('a layout-only PUT of a running flow is saved without restarting it: a bounded source does not count again', async () => {
  const flow = pipeFlow('moved', { count: 5, period: '10ms' });
  await api().post('/api/flows').send(flow).expect(201);
  await api().post('/api/flows/moved/start').expect(200);
  await eventually(async () => (await status('moved')).processors.log.in === 5);
  const created = async () =>
    (await api().get('/api/provenance?flowId=moved&type=CREATE&limit=1000').expect(200)).body.length as number;
  expect(await created()).toBe(5);

  const moved = structuredClone(flow);
  moved.name = 'Moved around';
  moved.processors[0]!.position = { x: 300, y: 40 };
  moved.processors[1]!.position = { x: 300, y: 260 };
  expect((await api().put('/api/flows/moved').send(moved).expect(200)).body).toEqual(moved);
  expect((await api().get('/api/flows/moved').expect(200)).body).toEqual(moved);
  expect((await api().get('/api/flows').expect(200)).body).toContainEqual(
    expect.objectContaining({ id: 'moved', name: 'Moved around', state: 'running' }),
  );

  // A real edit restarts the processors (documented: a source starts from scratch), which shows the
  // layout-only one did not: after it the source had still made 5, after this one it makes 5 more.
  const after = await status('moved');
  expect(after.state).toBe('running');
  expect(after.processors.gen.out).toBe(5);
  expect(await created()).toBe(5);
  const edited = structuredClone(moved);
  (edited.processors[0]!.config as Record<string, unknown>).content = 'again';
  await api().put('/api/flows/moved').send(edited).expect(200);
  await eventually(async () => (await created()) === 10);
  await api().post('/api/flows/moved/stop').expect(200);
});
