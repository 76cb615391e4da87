import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { EXAMPLES_DIR } from '../../server/serve';
import { eventually, pipeFlow, startTestServer, type TestServer } from './api-helpers';
import { exampleIds } from './example-ids';

let dataDir: string;
const servers: TestServer[] = [];
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-restart-'));
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close(true);
  await rm(dataDir, { recursive: true, force: true });
});

async function boot(options: Parameters<typeof startTestServer>[0] = {}) {
  const s = await startTestServer({ dataDir, ...options });
  servers.push(s);
  return s;
}

async function shutdown(s: TestServer) {
  servers.splice(servers.indexOf(s), 1);
  await s.close(true);
}

describe('restart', () => {
  test('flows that were running start again, held processors stay held, stopped flows stay stopped', async () => {
    const first = await boot();
    const api = request(first.url);
    await api
      .post('/api/flows')
      .send(pipeFlow('runs', { count: 0, period: '20ms' }))
      .expect(201);
    await api.post('/api/flows').send(pipeFlow('rests')).expect(201);
    await api.post('/api/flows/runs/start').expect(200);
    await api.post('/api/flows/runs/processors/log/stop').expect(200);
    await shutdown(first);

    const second = await boot();
    const again = request(second.url);
    const status = (await again.get('/api/flows/runs/status').expect(200)).body;
    expect(status.state).toBe('running');
    expect(status.processors.gen.state).toBe('running');
    expect(status.processors.log.state).toBe('stopped');
    // It really runs: FlowFiles pile up in front of the held processor.
    await eventually(async () => (await again.get('/api/flows/runs/status')).body.connections['gen-to-log'].count >= 3);
    expect((await again.get('/api/flows/rests/status')).body.state).toBe('stopped');
    expect((await again.get('/api/flows/rests').expect(200)).body).toEqual(pipeFlow('rests'));

    await again.post('/api/flows/runs/stop').expect(200);
    await shutdown(second);
    const third = await boot();
    expect((await request(third.url).get('/api/flows/runs/status')).body.state).toBe('stopped');
  });

  test('a stored flow that no longer validates is kept, shown as invalid, refuses to start, and can be fixed', async () => {
    const first = await boot();
    await request(first.url).post('/api/flows').send(pipeFlow('drift')).expect(201);
    await request(first.url).post('/api/flows/drift/start').expect(200);
    await shutdown(first);
    const broken = pipeFlow('drift');
    broken.processors[1]!.type = 'RetiredProcessor';
    await writeFile(path.join(dataDir, 'flows', 'drift.json'), JSON.stringify(broken));

    const second = await boot();
    const api = request(second.url);
    const list = (await api.get('/api/flows').expect(200)).body;
    expect(list).toContainEqual(expect.objectContaining({ id: 'drift', state: 'invalid', valid: false }));
    const status = (await api.get('/api/flows/drift/status').expect(200)).body;
    expect(status.validation.valid).toBe(false);
    expect(status.validation.issues[0].path).toBe('/processors/1/type');
    expect((await api.get('/api/flows/drift').expect(200)).body).toEqual(broken); // nothing lost
    const refused = await api.post('/api/flows/drift/start').expect(409);
    expect(refused.body.details[0].path).toBe('/processors/1/type');
    // Fixing it brings back the remembered running state.
    await api.put('/api/flows/drift').send(pipeFlow('drift')).expect(200);
    expect((await api.get('/api/flows/drift/status')).body.state).toBe('running');
  });
});

describe('first start', () => {
  test('a fresh data directory gets the example flows, started; an emptied store is not re-seeded', async () => {
    const first = await boot({ examplesDir: EXAMPLES_DIR });
    const api = request(first.url);
    const flows = (await api.get('/api/flows').expect(200)).body as { id: string; state: string }[];
    expect(flows.map((f) => f.id).sort()).toEqual(await exampleIds());
    expect(flows.find((f) => f.id === 'hello-log')!.state).toBe('running');
    // files-in-out reads ./data/in, which is not under this test's data directory (the only allowed root).
    const files = (await api.get('/api/flows/files-in-out/status')).body;
    expect(files.state).toBe('invalid');
    expect(files.validation.issues[0].path).toBe('/processors/0/config/directory');
    await eventually(async () => (await api.get('/api/flows/route-orders/status')).body.processors['log-rest'].in > 0);

    for (const f of flows) await api.delete(`/api/flows/${f.id}`).expect(204);
    await shutdown(first);
    const second = await boot({ examplesDir: EXAMPLES_DIR });
    expect((await request(second.url).get('/api/flows')).body).toEqual([]);
  });

  test('with the repository data directory allowed (as `npm start` does), every example is valid', async () => {
    const s = await boot({ allowedDirs: [path.resolve('data')] });
    const files = (await readdir(EXAMPLES_DIR)).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const flow = JSON.parse(await readFile(path.join(EXAMPLES_DIR, file), 'utf8'));
      const res = await request(s.url).post('/api/flows/validate').send(flow).expect(200);
      expect({ file, ...res.body, relationships: undefined }).toEqual({ file, valid: true, issues: [] });
    }
  });
});
