/**
 * /api/flows/:id/tests: read, replace (validated, path-named issues) and run against the saved flow; roles;
 * the examples' tests seeded with the examples, and a stored test file not taken for a flow.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterEach, expect, test } from 'vitest';
import type { FlowTestRunAnswer } from '../../server/flow-tests/report';
import { startTestServer, type TestServer } from './api-helpers';
import { login, writeUsers } from './roles-fixture';

const examplesDir = path.resolve(import.meta.dirname, '../../flows/examples');
const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function server(options: Parameters<typeof startTestServer>[0] = {}) {
  const s = await startTestServer(options);
  servers.push(s);
  return s;
}

const helloFlow = async () => JSON.parse(await readFile(path.join(examplesDir, 'hello-log.json'), 'utf8'));
const tests = (count: number) => ({
  cases: [
    {
      name: 'greetings reach log',
      capture: ['log'],
      expect: [{ at: 'log', count, content: { equals: 'hello, sluice' } }],
    },
  ],
});

test('PUT validates (400 naming the JSON path), GET reads back, run answers expected vs actual', async () => {
  const s = await server();
  const api = request(s.url);
  await api
    .post('/api/flows')
    .send(await helloFlow())
    .expect(201);
  expect((await api.get('/api/flows/hello-log/tests').expect(404)).body.error).toBe('flow "hello-log" has no tests');
  await api.get('/api/flows/nope/tests').expect(404);

  const bad = await api
    .put('/api/flows/hello-log/tests')
    .send({ cases: [{ name: 'x', expect: [{ at: 'log', count: 'five' }] }] });
  expect(bad.status).toBe(400);
  expect(bad.body.details).toEqual([{ path: '/cases/0/expect/0/count', message: 'must be integer' }]);
  const unknown = await api
    .put('/api/flows/hello-log/tests')
    .send({ cases: [{ name: 'x', expect: [{ at: 'lgo', count: 1 }] }] });
  expect(unknown.status).toBe(400);
  expect(unknown.body.details[0]).toMatchObject({
    path: '/cases/0/expect/0/at',
    message: expect.stringContaining('no processor "lgo"'),
  });
  const fixture = await api
    .put('/api/flows/hello-log/tests')
    .send({ cases: [{ name: 'x', inject: [{ at: 'log', file: '/etc/passwd' }], expect: [{ at: 'log' }] }] });
  expect(fixture.body.details).toEqual([
    { path: '/cases/0/inject/0/file', message: expect.stringContaining('cannot read fixture files') },
  ]);

  await api.put('/api/flows/hello-log/tests').send(tests(5)).expect(200);
  expect((await api.get('/api/flows/hello-log/tests').expect(200)).body).toEqual(tests(5));
  const passed: FlowTestRunAnswer = (await api.post('/api/flows/hello-log/tests/run').expect(200)).body;
  expect(passed).toMatchObject({
    flowId: 'hello-log',
    passed: 1,
    failed: 0,
    cases: [{ name: 'greetings reach log', passed: true }],
  });

  await api.put('/api/flows/hello-log/tests').send(tests(7)).expect(200);
  const failed: FlowTestRunAnswer = (await api.post('/api/flows/hello-log/tests/run').expect(200)).body;
  expect(failed).toMatchObject({ passed: 0, failed: 1 });
  expect(failed.cases[0]!.failures).toEqual([
    expect.objectContaining({ path: '/cases/0/expect/0/count', at: 'log', expected: '7', actual: '5' }),
  ]);
}, 30_000);

test('the run uses the flow as saved now', async () => {
  const s = await server();
  const api = request(s.url);
  const flow = await helloFlow();
  await api.post('/api/flows').send(flow).expect(201);
  await api.put('/api/flows/hello-log/tests').send(tests(5)).expect(200);
  flow.processors[0].config.count = 2;
  await api.put('/api/flows/hello-log').send(flow).expect(200);
  const run: FlowTestRunAnswer = (await api.post('/api/flows/hello-log/tests/run').expect(200)).body;
  expect(run.cases[0]!.failures[0]).toMatchObject({ expected: '5', actual: '2' });
}, 30_000);

test('roles: viewers read, admins replace, operators run', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-flow-tests-roles-'));
  await writeUsers(dataDir, [
    { name: 'vera', role: 'viewer' },
    { name: 'olga', role: 'operator' },
    { name: 'adam', role: 'admin' },
  ]);
  const s = await server({ dataDir });
  const [admin, operator, viewer] = await Promise.all(
    ['adam', 'olga', 'vera'].map(async (u) => (await login(s.url, u)).cookie),
  );
  const api = request(s.url);
  await api
    .post('/api/flows')
    .set('cookie', admin!)
    .send(await helloFlow())
    .expect(201);
  await api.put('/api/flows/hello-log/tests').set('cookie', operator!).send(tests(5)).expect(403);
  await api.put('/api/flows/hello-log/tests').set('cookie', admin!).send(tests(5)).expect(200);
  await api.get('/api/flows/hello-log/tests').set('cookie', viewer!).expect(200);
  await api.post('/api/flows/hello-log/tests/run').set('cookie', viewer!).expect(403);
  await api.post('/api/flows/hello-log/tests/run').set('cookie', operator!).expect(200);
}, 30_000);

test('a fresh data directory gets the examples with their tests; a restart loads no test file as a flow', async () => {
  const s = await server({ examplesDir });
  const api = request(s.url);
  const stored = (await api.get('/api/flows/route-orders/tests').expect(200)).body;
  expect(stored).toEqual(JSON.parse(await readFile(path.join(examplesDir, 'tests/route-orders.test.json'), 'utf8')));
  const ids = (await api.get('/api/flows').expect(200)).body.map((f: { id: string }) => f.id).sort();
  await s.close(true);
  servers.splice(0);
  const again = await server({ dataDir: s.dataDir, examplesDir });
  const after = (await request(again.url).get('/api/flows').expect(200)).body.map((f: { id: string }) => f.id).sort();
  expect(after).toEqual(ids);
  expect(after.some((id: string) => id.includes('test'))).toBe(false);
}, 60_000);
