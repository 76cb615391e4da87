/** Flows with groups through the API: import → export equal, stored and read back after a restart, run. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { afterEach, expect, test } from 'vitest';
import { eventually, pipeFlow, startTestServer, type TestServer } from './api-helpers';

const nestedFile = path.resolve(import.meta.dirname, '../../flows/examples/nested-groups.json');
const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

test('a nested flow imports, exports equal, survives a restart, and runs under global ids', async () => {
  const text = await readFile(nestedFile, 'utf8');
  const nested = JSON.parse(text);
  const v1 = pipeFlow('flat');
  let s = await startTestServer();
  servers.push(s);
  let api = request(s.url);
  await api
    .post('/api/flows/import')
    .set('X-Sluice-Request', '1')
    .attach('file', Buffer.from(text), { filename: 'nested-groups.json', contentType: 'application/json' })
    .expect(201);
  await api.post('/api/flows').send(v1).expect(201);

  const exported = await fetch(`${s.url}/api/flows/nested-groups/export`);
  expect(JSON.parse(await exported.text())).toEqual(nested);
  expect((await api.get('/api/flows/nested-groups').expect(200)).body).toEqual(nested);

  // Stored and read back by a new server on the same data directory: both versions still valid, as written.
  servers.pop();
  await s.close(true);
  s = await startTestServer({ dataDir: s.dataDir });
  servers.push(s);
  api = request(s.url);
  expect((await api.get('/api/flows/flat').expect(200)).body).toEqual(v1);
  expect((await api.get('/api/flows/nested-groups').expect(200)).body).toEqual(nested);
  for (const id of ['flat', 'nested-groups'])
    expect((await api.get(`/api/flows/${id}/status`).expect(200)).body.validation).toEqual({ valid: true, issues: [] });

  await api.post('/api/flows/nested-groups/start').expect(200);
  const status = await eventually(async () => {
    const body = (await api.get('/api/flows/nested-groups/status')).body;
    return body.processors['log-accepted'].in === 36 && body.processors['log-rejected'].in === 4 && body;
  });
  expect(status.processors.intake__checks__pricing__price.in).toBe(36);
  expect(status.processors.intake__orders).toMatchObject({ type: '~InputPort', name: 'orders in', in: 40 });
});

test('validation errors inside groups come back with their JSON paths', async () => {
  const s = await startTestServer();
  servers.push(s);
  const nested = JSON.parse(await readFile(nestedFile, 'utf8'));
  nested.groups[0].groups[0].groups[0].processors[0].config.batchSize = 0;
  nested.groups[0].groups[0].connections[1].target = { group: 'pricing', port: 'priced' };
  const res = await request(s.url).post('/api/flows/validate').send(nested).expect(200);
  expect(res.body.valid).toBe(false);
  expect(res.body.issues).toEqual([
    {
      path: '/groups/0/groups/0/connections/1/target/port',
      message:
        '"priced" is an output port of group "pricing"; a connection into the group must end at one of its input ports (its input ports: in)',
    },
    { path: '/groups/0/groups/0/groups/0/processors/0/config/batchSize', message: 'must be >= 1' },
    {
      path: '/groups/0/groups/0/groups/0/inputPorts/0',
      message:
        'input port "in" of group "pricing" has no incoming connection: connect something in the parent group to {"group": "pricing", "port": "in"}',
    },
  ]);
  // Stored all the same (it cannot start), named with the same issues.
  const created = await request(s.url).post('/api/flows').send(nested).expect(201);
  expect(created.body).toMatchObject({ saved: true, valid: false, issues: res.body.issues });
});
