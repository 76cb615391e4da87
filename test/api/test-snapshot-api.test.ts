/**
 * POST /api/flows/:id/tests/snapshot: what the connection's destination sends for the FlowFiles, per
 * relationship, from the flow as saved; bad bodies and unknown connections name their JSON path; the running
 * flow's queues are not touched.
 */
import request from 'supertest';
import { afterEach, expect, test } from 'vitest';
import type { SnapshotAnswer } from '../../server/flow-tests/snapshot';
import { pipeFlow, startTestServer, type TestServer } from './api-helpers';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

test('answers per relationship of the destination; 400 with the path for a bad body or connection', async () => {
  const s = await startTestServer();
  servers.push(s);
  const api = request(s.url);
  await api
    .post('/api/flows')
    .send(pipeFlow('p', { count: 0, period: '1h' }))
    .expect(201);

  const answer = (
    await api
      .post('/api/flows/p/tests/snapshot')
      .send({ at: 'gen-to-log', inject: [{ content: 'hi', attributes: { who: 'me' } }] })
      .expect(200)
  ).body as SnapshotAnswer;
  expect(answer).toMatchObject({ at: 'gen-to-log', destination: 'log', mute: ['gen'], capture: [], consistent: true });
  const success = answer.outputs.find((o) => o.place === 'log:success');
  expect(success?.count).toBe(1);
  expect(success?.flowFiles[0]).toMatchObject({ attributes: { who: 'me' }, content: 'hi', contentVaries: false });
  // Run in its own engine: nothing entered the flow's own queue.
  const queue = await api.get('/api/flows/p/connections/gen-to-log/queue').expect(200);
  expect(queue.body.count).toBe(0);

  const bad = await api.post('/api/flows/p/tests/snapshot').send({ at: 'gen-to-log', inject: [{ content: 1 }] });
  expect(bad.status).toBe(400);
  expect(bad.body.details[0].path).toBe('/inject/0/content');
  const unknown = await api.post('/api/flows/p/tests/snapshot').send({ at: 'nope', inject: [{ content: '' }] });
  expect(unknown.status).toBe(400);
  expect(unknown.body.details).toEqual([{ path: '/at', message: 'no connection "nope" in flow "p"' }]);
  await api
    .post('/api/flows/missing/tests/snapshot')
    .send({ at: 'x', inject: [{ content: '' }] })
    .expect(404);
});
