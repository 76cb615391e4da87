import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, test } from 'vitest';
import { isLoopback } from '../../server/api/auth';
import { registerHttpListener, unregisterHttpListener } from '../../server/runtime/http-listeners';
import { startServer } from '../../server/serve';
import { pipeFlow, startTestServer, type TestServer } from './api-helpers';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('token', () => {
  test('every /api call needs the bearer token; /healthz does not', async () => {
    t = await startTestServer({ token: 'sekrit' });
    const api = request(t.url);
    const missing = await api.get('/api/flows').expect(401);
    expect(missing.body).toEqual({ error: expect.stringMatching(/Authorization: Bearer/), details: [] });
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    expect((await api.get('/api/flows').set('Authorization', 'Bearer nope').expect(401)).body.error).toBe(
      'invalid token',
    );
    await api.get('/api/flows?token=sekrit').expect(401); // the query form is for the event stream only
    await api.post('/api/flows').send(pipeFlow('x')).expect(401);
    await api.get('/api/nothing').expect(401); // unknown API paths do not reveal themselves either
    await api.get('/api/flows').set('Authorization', 'Bearer sekrit').expect(200);
    await api.post('/api/flows').set('Authorization', 'bearer sekrit').send(pipeFlow('x')).expect(201);
    await api.get('/healthz').expect(200);
    await api.get('/metrics').expect(401);
    await api.get('/metrics').set('Authorization', 'Bearer sekrit').expect(200);
  });

  test('binding beyond loopback without a token is refused', async () => {
    await expect(
      startServer({ port: 0, host: '0.0.0.0', dataDir: '/nonexistent-not-created', logLevel: 'silent' }),
    ).rejects.toThrow(/set a token/);
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.10', 'example.com'].some(isLoopback)).toBe(false);
  });
});

describe('limits and headers', () => {
  test('a body over the limit is 413 JSON, for JSON bodies and uploads', async () => {
    t = await startTestServer({ maxBodyBytes: 2000 });
    const api = request(t.url);
    const big = { ...pipeFlow('big'), description: 'x'.repeat(3000) };
    const res = await api.post('/api/flows').send(big).expect(413);
    expect(res.body).toEqual({ error: 'request body is larger than the limit of 2000 bytes', details: [] });
    await api.post('/api/flows/validate').send(big).expect(413);
    const upload = await api
      .post('/api/flows/import')
      .set('X-Sluice-Request', '1')
      .attach('file', Buffer.from(JSON.stringify(big)), 'big.json')
      .expect(413);
    expect(upload.body.error).toMatch(/upload rejected/);
    await api.post('/api/flows').send(pipeFlow('small')).expect(201);
  });

  test("helmet's headers are set", async () => {
    t = await startTestServer();
    const res = await request(t.url).get('/api/flows').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['content-security-policy']).not.toMatch(/upgrade-insecure-requests/);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  test('a flow naming a directory outside the allowed roots is rejected at validation', async () => {
    t = await startTestServer();
    const flow = {
      schemaVersion: 1,
      id: 'files',
      name: 'Files',
      processors: [
        { id: 'get', type: 'GetFile', config: { directory: '/etc' } },
        {
          id: 'put',
          type: 'PutFile',
          config: { directory: path.join(t.dataDir, 'out') },
          autoTerminate: ['success', 'failure'],
        },
      ],
      connections: [{ id: 'c', source: 'get', relationships: ['success'], target: 'put' }],
    };
    // Stored (without an engine: nothing reads /etc), named with its issue; it cannot start.
    const res = await request(t.url).post('/api/flows').send(flow).expect(201);
    expect(res.body.valid).toBe(false);
    await request(t.url).post('/api/flows/files/start').expect(409);
    expect(res.body.issues).toEqual([
      {
        path: '/processors/0/config/directory',
        message: `directory "/etc" is outside the allowed directories: ${t.dataDir}`,
      },
    ]);
    flow.processors[0]!.config.directory = path.join(t.dataDir, 'in');
    expect((await request(t.url).put('/api/flows/files').send(flow).expect(200)).body).toEqual(flow);
  });
});

describe('/listen/:processorId', () => {
  test('404 JSON with no listener; a registered listener answers; the token applies', async () => {
    t = await startTestServer({ token: 'sekrit' });
    const api = request(t.url);
    const auth = { Authorization: 'Bearer sekrit' };
    await api.post('/listen/ingest').send('x').expect(401);
    const none = await api.post('/listen/ingest').set(auth).send('x').expect(404);
    expect(none.body.error).toMatch(/no ListenHTTP processor "ingest"/);
    const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`got ${body.length} bytes at ${req.url}`);
      });
    };
    registerHttpListener('ingest', handler);
    try {
      const ok = await api.post('/listen/ingest/sub/path').set(auth).type('text').send('hello').expect(200);
      expect(ok.text).toBe('got 5 bytes at /listen/ingest/sub/path');
    } finally {
      unregisterHttpListener('ingest', handler);
    }
    await api.post('/listen/ingest').set(auth).send('x').expect(404);
  });
});

describe('the UI', () => {
  test('served from the UI directory with an SPA fallback; a note until it is built', async () => {
    t = await startTestServer();
    const note = await request(t.url).get('/').set('Accept', 'text/html').expect(200);
    expect(note.text).toMatch(/not built/);
    await request(t.url).get('/flows/x').set('Accept', 'text/html').expect(404);

    const uiDir = path.join(t.dataDir, 'no-ui'); // the test server's UI directory
    await mkdir(path.join(uiDir, 'assets'), { recursive: true });
    await writeFile(path.join(uiDir, 'index.html'), '<!doctype html><div id="root"></div>');
    await writeFile(path.join(uiDir, 'assets', 'app.js'), 'console.log(1)');
    expect((await request(t.url).get('/').expect(200)).text).toContain('id="root"');
    expect((await request(t.url).get('/assets/app.js').expect(200)).headers['content-type']).toMatch(/javascript/);
    const deep = await request(t.url).get('/flows/orders').set('Accept', 'text/html').expect(200);
    expect(deep.text).toContain('id="root"');
    await request(t.url).get('/api/unknown').set('Accept', 'text/html').expect(404).expect('content-type', /json/);
  });
});
