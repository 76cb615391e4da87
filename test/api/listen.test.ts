import request from 'supertest';
import { afterEach, describe, expect, test } from 'vitest';
import ListenHTTP from '../../processors/listen-http';
import { createRegistry } from '../../processors/registry';
import { eventually, startTestServer, type TestServer } from './api-helpers';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

function registry() {
  const r = createRegistry();
  if (!r.get('ListenHTTP')) r.register(ListenHTTP);
  return r;
}

const ingestFlow = {
  schemaVersion: 1,
  id: 'ingest',
  name: 'Ingest',
  processors: [
    { id: 'orders-in', type: 'ListenHTTP', config: { port: 0, path: '/orders' } },
    { id: 'log', type: 'LogAttribute', config: { logLevel: 'none' }, autoTerminate: ['success'] },
  ],
  connections: [{ id: 'in-to-log', source: 'orders-in', relationships: ['success'], target: 'log' }],
};

describe('ListenHTTP mounted on the server', () => {
  test('a POST to /listen/<processor id>/<path> becomes a FlowFile; stopping the flow unmounts it', async () => {
    t = await startTestServer({ registry: registry(), token: 'sekrit' });
    const api = request(t.url);
    const auth = { Authorization: 'Bearer sekrit' };
    await api.post('/api/flows').set(auth).send(ingestFlow).expect(201);
    await api.post('/api/flows/ingest/start').set(auth).expect(200);

    await api.post('/listen/orders-in/orders').type('json').send('{"n":1}').expect(401);
    const res = await api.post('/listen/orders-in/orders').set(auth).type('json').send('{"n":1}').expect(200);
    const { flowFileId } = res.body;
    expect(typeof flowFileId).toBe('string');
    await eventually(async () => (await api.get('/api/flows/ingest/status').set(auth)).body.processors.log.in === 1);
    const events = (await api.get(`/api/provenance?flowFileId=${flowFileId}`).set(auth)).body;
    expect(events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['RECEIVE', 'DROP']));

    await api.post('/api/flows/ingest/stop').set(auth).expect(200);
    const gone = await api.post('/listen/orders-in/orders').set(auth).send('x').expect(404);
    expect(gone.body.error).toMatch(/no ListenHTTP processor "orders-in"/);
  });
});
