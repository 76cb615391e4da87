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

  // A real edit restarts the processors; the source's count is persisted state (as NiFi keeps a processor's
  // state across config changes), so a restarted bounded source does not count again either.
  const edited = structuredClone(moved);
  (edited.processors[0]!.config as Record<string, unknown>).count = 8;
  await api().put('/api/flows/moved').send(edited).expect(200);
  await eventually(async () => (await created()) === 8);
  await new Promise((r) => setTimeout(r, 200));
  expect(await created()).toBe(8);
  await api().post('/api/flows/moved/stop').expect(200);
});
