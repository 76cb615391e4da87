/** Starting and stopping a process group (every processor under it, at any depth) through the API. */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterEach, expect, test } from 'vitest';
import { startTestServer, type TestServer } from './api-helpers';
import { login, writeUsers } from './roles-fixture';

const nestedFile = path.resolve(import.meta.dirname, '../../flows/examples/nested-groups.json');
const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** The global ids under intake/checks in the example: its ports, its processor, and Pricing inside it (ports too). */
const CHECKS = [
  'intake__checks__validate',
  'intake__checks__in',
  'intake__checks__valid',
  'intake__checks__invalid',
  'intake__checks__pricing__in',
  'intake__checks__pricing__price',
  'intake__checks__pricing__priced',
];

async function nestedServer(options: Parameters<typeof startTestServer>[0] = {}) {
  const s = await startTestServer(options);
  servers.push(s);
  return s;
}

async function states(url: string): Promise<Record<string, string>> {
  const body = (await request(url).get('/api/flows/nested-groups/status').expect(200)).body;
  return Object.fromEntries(
    Object.entries(body.processors as Record<string, { state: string }>).map(([id, p]) => [id, p.state]),
  );
}

test('stopping a group stops every processor under it, at any depth; starting it runs them again', async () => {
  const s = await nestedServer();
  const api = request(s.url);
  const nested = JSON.parse(await readFile(nestedFile, 'utf8'));
  await api.post('/api/flows').send(nested).expect(201);

  // Not running yet: a group cannot start before its flow.
  await api.post('/api/flows/nested-groups/groups/intake/checks/start').expect(409);
  await api.post('/api/flows/nested-groups/start').expect(200);
  const before = await states(s.url);
  for (const id of CHECKS) expect(before[id], id).toBe('running');

  const stopped = await api.post('/api/flows/nested-groups/groups/intake/checks/stop').expect(200);
  expect(stopped.body).toMatchObject({ flowId: 'nested-groups', group: 'intake/checks', failures: [] });
  expect(Object.keys(stopped.body.processors).sort()).toEqual([...CHECKS].sort());
  expect(Object.values(stopped.body.processors).every((state) => state === 'stopped')).toBe(true);

  const after = await states(s.url);
  for (const [id, state] of Object.entries(after))
    expect(state, id).toBe(id.startsWith('intake__checks__') ? 'stopped' : 'running');
  expect(after.intake__tag).toBe('running');
  expect(after.generate).toBe('running');

  // Remembered in the flow's running state, like a processor stopped on its own.
  const state = JSON.parse(await readFile(path.join(s.dataDir, 'state.json'), 'utf8'));
  expect([...state.flows['nested-groups'].stoppedProcessors].sort()).toEqual([...CHECKS].sort());

  const started = await api.post('/api/flows/nested-groups/groups/intake/checks/start').expect(200);
  expect(Object.values(started.body.processors).every((state) => state === 'running')).toBe(true);
  const again = await states(s.url);
  for (const [id, st] of Object.entries(again)) expect(st, id).toBe('running');

  // A group one level deeper, and one level up.
  await api.post('/api/flows/nested-groups/groups/intake/checks/pricing/stop').expect(200);
  const deeper = await states(s.url);
  expect(deeper.intake__checks__pricing__price).toBe('stopped');
  expect(deeper.intake__checks__validate).toBe('running');
  await api.post('/api/flows/nested-groups/groups/intake/stop').expect(200);
  const outer = await states(s.url);
  for (const [id, st] of Object.entries(outer)) expect(st, id).toBe(id.startsWith('intake__') ? 'stopped' : 'running');
});

test('unknown groups and flows are 404; an invalid flow is 409', async () => {
  const s = await nestedServer();
  const api = request(s.url);
  const nested = JSON.parse(await readFile(nestedFile, 'utf8'));
  await api.post('/api/flows').send(nested).expect(201);
  await api.post('/api/flows/nested-groups/start').expect(200);
  for (const group of ['nope', 'checks', 'intake/nope', 'intake/checks/pricing/price', 'intake/tag']) {
    const res = await api.post(`/api/flows/nested-groups/groups/${group}/stop`).expect(404);
    expect(res.body.error).toBe(`no group "${group}" in flow "nested-groups"`);
  }
  await api.post('/api/flows/nested-groups/groups/nope/start').expect(404);
  await api.post('/api/flows/no-such-flow/groups/intake/stop').expect(404);

  const broken = structuredClone(nested);
  broken.id = 'broken';
  broken.groups[0].groups[0].processors[0].config = { routes: 5 };
  const saved = await api.post('/api/flows').send(broken).expect(201);
  expect(saved.body.valid).toBe(false);
  await api.post('/api/flows/broken/groups/intake/checks/stop').expect(409);
  await api.post('/api/flows/broken/groups/intake/checks/start').expect(409);
});

test('a viewer may not start or stop a group (403); an operator may', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-group-roles-'));
  await writeUsers(dataDir, [
    { name: 'vera', role: 'viewer' },
    { name: 'olga', role: 'operator' },
    { name: 'adam', role: 'admin' },
  ]);
  const s = await nestedServer({ dataDir });
  const admin = (await login(s.url, 'adam')).cookie;
  const viewer = (await login(s.url, 'vera')).cookie;
  const operator = (await login(s.url, 'olga')).cookie;
  const nested = JSON.parse(await readFile(nestedFile, 'utf8'));
  await request(s.url).post('/api/flows').set('cookie', admin).send(nested).expect(201);
  await request(s.url).post('/api/flows/nested-groups/start').set('cookie', operator).expect(200);

  for (const action of ['start', 'stop']) {
    const res = await request(s.url)
      .post(`/api/flows/nested-groups/groups/intake/checks/${action}`)
      .set('cookie', viewer)
      .expect(403);
    expect(res.body.error).toMatch(/needs the operator role; "vera" has viewer/);
    await request(s.url).post(`/api/flows/nested-groups/groups/intake/checks/${action}`).expect(401);
  }
  await request(s.url).post('/api/flows/nested-groups/groups/intake/checks/stop').set('cookie', operator).expect(200);
  expect(
    (await request(s.url).get('/api/flows/nested-groups/status').set('cookie', viewer)).body.processors,
  ).toMatchObject({ intake__checks__validate: { state: 'stopped' }, intake__tag: { state: 'running' } });
});
