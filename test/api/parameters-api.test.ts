/**
 * Parameters and sensitive values through the API: sensitive values are write-only (GET shows "set"), kept
 * when a write leaves them out, cleared by null, encrypted in the data directory, left out of exports; an import
 * without them is saved as invalid until they are set; `--parameters` values apply to every flow.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from './api-helpers';

const SECRET = 'api-secret-9d41e7';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
const api = () => request(t!.url);

/** gen → PublishAMQP (password from the sensitive parameter), never started: what the API keeps and shows. */
function secretFlow(id: string, password: { value?: string | null; set?: boolean } = { value: SECRET }) {
  return {
    schemaVersion: 2,
    id,
    name: `Secret ${id}`,
    parameterContexts: [
      {
        id: 'prod',
        parameters: [
          { name: 'greeting', value: 'hello' },
          { name: 'rabbit.password', sensitive: true, description: 'broker password', ...password },
        ],
      },
    ],
    parameterContext: 'prod',
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', config: { content: '#{greeting}', count: 1 } },
      {
        id: 'pub',
        type: 'PublishAMQP',
        config: { url: 'amqp://127.0.0.1:1/', username: 'app', password: '#{rabbit.password}', exchange: 'x' },
        autoTerminate: ['success', 'failure'],
      },
    ],
    connections: [{ id: 'c', source: 'gen', relationships: ['success'], target: 'pub' }],
  };
}

const parameterOf = (body: any, name: string) =>
  body.parameterContexts[0].parameters.find((p: { name: string }) => p.name === name);

describe('sensitive values are write-only', () => {
  test('never returned: POST, GET and PUT answers show "set"; the data directory holds it encrypted', async () => {
    t = await startTestServer();
    const created = await api().post('/api/flows').send(secretFlow('s')).expect(201);
    const masked = { name: 'rabbit.password', sensitive: true, description: 'broker password', set: true };
    expect(parameterOf(created.body, 'rabbit.password')).toEqual(masked);
    expect(parameterOf(created.body, 'greeting')).toEqual({ name: 'greeting', value: 'hello' });
    const got = await api().get('/api/flows/s').expect(200);
    expect(parameterOf(got.body, 'rabbit.password')).toEqual(masked);
    expect(JSON.stringify(got.body)).not.toContain(SECRET);

    const file = await readFile(path.join(t.dataDir, 'flows', 's.json'), 'utf8');
    expect(file).not.toContain(SECRET);
    expect(parameterOf(JSON.parse(file), 'rabbit.password').value).toMatch(/^sluice:v1:[A-Za-z0-9+/]+=*$/);
    expect((await api().get('/api/flows/s/status').expect(200)).body.validation).toEqual({ valid: true, issues: [] });
  });

  test('a PUT without the value keeps it (also when sent back as GET shows it); null clears it; a value sets it', async () => {
    t = await startTestServer();
    await api().post('/api/flows').send(secretFlow('s')).expect(201);
    const shown = (await api().get('/api/flows/s').expect(200)).body;
    shown.name = 'Renamed';
    const kept = await api().put('/api/flows/s').send(shown).expect(200);
    expect(parameterOf(kept.body, 'rabbit.password').set).toBe(true);
    await api().put('/api/flows/s').send(secretFlow('s', {})).expect(200);
    const stored = JSON.parse(await readFile(path.join(t.dataDir, 'flows', 's.json'), 'utf8'));
    expect(parameterOf(stored, 'rabbit.password').value).toMatch(/^sluice:v1:/);
    expect(parameterOf(stored, 'rabbit.password')).not.toHaveProperty('set');

    const cleared = await api()
      .put('/api/flows/s')
      .send(secretFlow('s', { value: null }))
      .expect(200);
    expect(cleared.body).toEqual({
      saved: true,
      valid: false,
      id: 's',
      issues: [
        {
          path: '/parameterContexts/0/parameters/1/value',
          message: 'sensitive parameter "rabbit.password" of context "prod" has no value',
        },
      ],
    });
    expect(parameterOf((await api().get('/api/flows/s').expect(200)).body, 'rabbit.password').set).toBe(false);
    await api().post('/api/flows/s/start').expect(409);

    await api()
      .put('/api/flows/s')
      .send(secretFlow('s', { value: 'another-secret-1' }))
      .expect(200);
    expect(parameterOf((await api().get('/api/flows/s').expect(200)).body, 'rabbit.password').set).toBe(true);
    // POST /flows/validate applies the same rule: the stored value counts.
    const validated = await api()
      .post('/api/flows/validate')
      .send(secretFlow('s', { set: true }))
      .expect(200);
    expect(validated.body.valid).toBe(true);
  });

  test('export keeps the name and "sensitive" without value; its import is saved as invalid until the value is set', async () => {
    t = await startTestServer();
    await api().post('/api/flows').send(secretFlow('s')).expect(201);
    const exported = await api().get('/api/flows/s/export').expect(200);
    const text = exported.text ?? exported.body.toString();
    expect(text).not.toContain(SECRET);
    const flow = JSON.parse(text);
    expect(parameterOf(flow, 'rabbit.password')).toEqual({
      name: 'rabbit.password',
      sensitive: true,
      description: 'broker password',
    });

    flow.id = 'copy';
    const imported = await api().post('/api/flows/import').send(flow).expect(201);
    expect(imported.headers.location).toBe('/api/flows/copy');
    expect(imported.body).toEqual({
      saved: true,
      valid: false,
      id: 'copy',
      issues: [
        {
          path: '/parameterContexts/0/parameters/1/value',
          message: 'sensitive parameter "rabbit.password" of context "prod" has no value',
        },
      ],
    });
    const start = await api().post('/api/flows/copy/start').expect(409);
    expect(start.body.error).toContain('sensitive parameter "rabbit.password" of context "prod" has no value');
    // Importing over the original keeps its stored value (same context and name): valid.
    flow.id = 's';
    const replaced = await api().post('/api/flows/import?replace=true').send(flow).expect(200);
    expect(parameterOf(replaced.body, 'rabbit.password').set).toBe(true);
    // Any other problem is still refused.
    flow.id = 'broken';
    flow.processors[0].config.count = 'many';
    await api().post('/api/flows/import').send(flow).expect(400);
    // Setting the value makes the copy valid.
    const fixed = secretFlow('copy', { value: 'entered-later-1' });
    expect((await api().put('/api/flows/copy').send(fixed).expect(200)).body.parameterContexts).toBeDefined();
    expect((await api().get('/api/flows/copy/status').expect(200)).body.state).toBe('stopped');
  });

  test('restart: the value is decrypted with the key file; another key leaves it unset (the flow invalid)', async () => {
    t = await startTestServer();
    const dataDir = t.dataDir;
    await api().post('/api/flows').send(secretFlow('s')).expect(201);
    await t.close(true);
    t = await startTestServer({ dataDir });
    expect((await api().get('/api/flows/s/status').expect(200)).body.validation.valid).toBe(true);
    await t.close(true);

    const before = process.env.SLUICE_SECRETS_KEY;
    process.env.SLUICE_SECRETS_KEY = randomBytes(32).toString('hex');
    try {
      t = await startTestServer({ dataDir });
    } finally {
      if (before === undefined) delete process.env.SLUICE_SECRETS_KEY;
      else process.env.SLUICE_SECRETS_KEY = before;
    }
    const status = (await api().get('/api/flows/s/status').expect(200)).body;
    expect(status.validation.issues).toEqual([
      expect.objectContaining({ message: 'sensitive parameter "rabbit.password" of context "prod" has no value' }),
    ]);
  });
});

describe('--parameters', () => {
  test('a value for a name replaces it in every context; the stored flow is unchanged', async () => {
    t = await startTestServer({ parameters: { greeting: 'from the file', 'rabbit.password': 'from-the-file-1' } });
    const created = await api().post('/api/flows').send(secretFlow('s', {})).expect(201);
    // Valid: the sensitive value comes from the file.
    expect(created.body.saved).toBeUndefined();
    expect(t.server.manager.engine('s')!.flow.processors[0]!.config.content).toBe('from the file');
    expect(parameterOf((await api().get('/api/flows/s').expect(200)).body, 'greeting').value).toBe('hello');
  });
});
