/**
 * Provenance on the durable repository: events from before a restart are found after it (query, lineage),
 * the content before and after an event can be read, and a replayed event produces the same output again
 * with a REPLAY event linking it to the original.
 */
import request from 'supertest';
import { afterEach, expect, test } from 'vitest';
import { eventually, startTestServer, type TestServer } from '../api/api-helpers';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const routed = {
  schemaVersion: 1,
  id: 'routed',
  name: 'routed',
  processors: [
    {
      id: 'gen',
      type: 'GenerateFlowFile',
      config: { content: 'order body', count: 3, attributes: { size: '42' } },
      schedule: { period: '10ms' },
    },
    {
      id: 'route',
      type: 'RouteOnAttribute',
      config: { routes: { big: '$number(attributes.size) > 10' } },
      autoTerminate: ['unmatched', 'failure'],
    },
    { id: 'log', type: 'LogAttribute', config: { logLevel: 'none' }, autoTerminate: ['success'] },
  ],
  connections: [
    { id: 'c1', source: 'gen', relationships: ['success'], target: 'route' },
    { id: 'c2', source: 'route', relationships: ['big'], target: 'log' },
  ],
};

test('events survive a restart; content is shown; replay routes the same FlowFile again', {
  timeout: 60_000,
}, async () => {
  t = await startTestServer();
  const api = () => request(t!.url);
  await api().post('/api/flows').send(routed).expect(201);
  await api().post('/api/flows/routed/start').expect(200);
  const routes = async () =>
    (await api().get('/api/provenance?flowId=routed&componentId=route&type=ROUTE').expect(200)).body as {
      eventId: number;
      flowFileId: string;
      relationship: string;
      contentClaim?: string;
    }[];
  await eventually(async () => (await routes()).length === 3);
  await eventually(async () => (await api().get('/api/flows/routed/status').expect(200)).body.processors.log.in === 3);
  const before = await routes();

  // Restart on the same data directory.
  const dataDir = t.dataDir;
  await t.close(true);
  t = await startTestServer({ dataDir });
  const after = await routes();
  expect(after.map((e) => e.eventId)).toEqual(before.map((e) => e.eventId));
  const event = after[0]!;
  expect(event.relationship).toBe('big');
  expect(event.contentClaim).toBeDefined();

  const output = await api().get(`/api/provenance/${event.eventId}/content/output`).expect(200);
  expect(Buffer.from(output.body ?? output.text).toString()).toBe('order body');
  await api()
    .get(`/api/provenance/${event.eventId}/content/input?download=1`)
    .expect(200)
    .expect('content-disposition', /attachment/);

  const lineage = (await api().get(`/api/provenance/lineage/${event.flowFileId}`).expect(200)).body;
  expect(lineage.events.map((e: { type: string }) => e.type)).toEqual(
    expect.arrayContaining(['CREATE', 'ROUTE', 'DROP']),
  );

  // Replay: the flow runs (it was running before the restart); the replayed FlowFile is routed "big" again.
  const replay = (await api().post(`/api/provenance/${event.eventId}/replay`).send({}).expect(201)).body;
  expect(replay).toMatchObject({ eventId: event.eventId, connectionId: 'c1' });
  await eventually(async () => (await routes()).some((e) => e.flowFileId === replay.flowFileId));
  const again = (await routes()).find((e) => e.flowFileId === replay.flowFileId)!;
  expect(again.relationship).toBe('big');
  const replayEvents = (await api().get('/api/provenance?flowId=routed&type=REPLAY').expect(200)).body;
  expect(replayEvents).toHaveLength(1);
  expect(replayEvents[0]).toMatchObject({ flowFileId: replay.flowFileId, parentIds: [event.flowFileId] });

  // A source's own event has nowhere to go back to.
  const created = (await api().get('/api/provenance?flowId=routed&type=CREATE&limit=1').expect(200)).body[0];
  const refused = await api().post(`/api/provenance/${created.eventId}/replay`).send({}).expect(409);
  expect(refused.body.error).toMatch(/no incoming connection/);
});

test('in-memory queues keep no content: the content route says so', async () => {
  t = await startTestServer({ queues: 'memory' });
  const api = () => request(t!.url);
  await api().post('/api/flows').send(routed).expect(201);
  await api().post('/api/flows/routed/start').expect(200);
  const events = await eventually(async () => {
    const found = (await api().get('/api/provenance?flowId=routed&type=ROUTE').expect(200)).body;
    return found.length > 0 ? found : undefined;
  });
  const res = await api().get(`/api/provenance/${events[0].eventId}/content/output`).expect(404);
  expect(res.body.error).toMatch(/--queues memory/);
});

test('once its content aged out of the archive, an event can be neither shown nor replayed', {
  timeout: 60_000,
}, async () => {
  t = await startTestServer();
  const api = () => request(t!.url);
  await api().post('/api/flows').send(routed).expect(201);
  await api().post('/api/flows/routed/start').expect(200);
  await eventually(async () => (await api().get('/api/flows/routed/status').expect(200)).body.processors.log.in === 3);
  const [event] = (await api().get('/api/provenance?flowId=routed&componentId=route&type=ROUTE').expect(200)).body;
  await api().get(`/api/provenance/${event.eventId}/content/output`).expect(200);

  // Every FlowFile was dropped, so its content is only in the archive; a restart with a 1 ms archive ages it out.
  const dataDir = t.dataDir;
  await t.close(true);
  process.env.SLUICE_CONTENT_ARCHIVE_MAX_AGE = '1ms';
  try {
    t = await startTestServer({ dataDir });
  } finally {
    delete process.env.SLUICE_CONTENT_ARCHIVE_MAX_AGE;
  }
  const gone = await eventually(async () => {
    const res = await api().post(`/api/provenance/${event.eventId}/replay`).send({});
    return res.status === 410 ? res.body : undefined;
  });
  expect(gone.error).toMatch(/no longer in the content archive/);
  await api().get(`/api/provenance/${event.eventId}/content/output`).expect(410);
  expect((await api().get('/api/provenance?flowId=routed&type=REPLAY').expect(200)).body).toHaveLength(0);
});
