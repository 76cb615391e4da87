/**
 * Hostile HTTP fixtures against a real server: DNS rebinding (bad Host), cross-origin and simple requests that
 * change state, deep nesting, truncated and BOM uploads, slow and too many SSE clients, credentials sent to
 * /listen, and listeners that would bind beyond loopback. Each names what an attacker tried; each checks the
 * state afterwards (nothing created, nothing started), not only the status.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { pipeFlow } from '../api/api-helpers';
import { type HostileServer, startHostileServer } from './hostile-http-server';

let server: HostileServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await server?.close();
  server = undefined;
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
}

/** One request with exactly these headers (fetch would not let a test set Host). */
function send(method: string, url: string, headers: Record<string, string> = {}, body?: string | Buffer) {
  return new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = (value: unknown) => ({ 'content-type': 'application/json', body: JSON.stringify(value) });

function multipart(fileText: string | Buffer, boundary = 'hostileboundary') {
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="flow.json"\r\nContent-Type: application/json\r\n\r\n`;
  return {
    type: `multipart/form-data; boundary=${boundary}`,
    body: Buffer.concat([Buffer.from(head), Buffer.from(fileText), Buffer.from(`\r\n--${boundary}--\r\n`)]),
  };
}

function nested(depth: number): unknown {
  let value: unknown = { leaf: true };
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('bad Host (DNS rebinding)', () => {
  test('a request for evil.example is refused with 403 JSON; loopback names, IP literals and allowed hosts pass', async () => {
    server = await startHostileServer({ allowedHosts: ['sluice.internal', '.corp.example'] });
    const { url } = server;
    const refused = await send('GET', `${url}/api/flows`, { host: 'evil.example' });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      error: expect.stringMatching(/host "evil.example" is not allowed; start the server with --allowed-hosts/),
      details: [{ path: '/headers/host', message: 'not an allowed host' }],
    });
    const created = await send(
      'POST',
      `${url}/api/flows`,
      { host: 'evil.example:80', 'content-type': 'application/json' },
      JSON.stringify(pipeFlow('rebound')),
    );
    expect(created.status).toBe(403);
    expect(server.manager.ids()).toEqual([]);
    expect((await send('GET', `${url}/metrics`, { host: 'evil.example' })).status).toBe(403);

    for (const host of [
      'localhost:1',
      'app.localhost',
      '127.0.0.1',
      '[::1]:8080',
      '10.1.2.3',
      'sluice.internal',
      'a.corp.example',
    ])
      expect((await send('GET', `${url}/api/flows`, { host })).status, host).toBe(200);
    expect((await send('GET', `${url}/api/flows`, { host: 'corp.example.evil' })).status).toBe(403);
  });
});

describe('cross-origin and simple requests', () => {
  test('a JSON import from another origin is refused and creates nothing', async () => {
    server = await startHostileServer();
    const body = json(pipeFlow('csrf'));
    const answer = await send(
      'POST',
      `${server.url}/api/flows/import`,
      { 'content-type': body['content-type'], origin: 'http://evil.example' },
      body.body,
    );
    expect(answer.status).toBe(403);
    expect(answer.body.details).toEqual([
      { path: '/headers/origin', message: 'must be the origin the server is addressed by' },
    ]);
    const nullOrigin = await send(
      'POST',
      `${server.url}/api/flows`,
      { 'content-type': 'application/json', origin: 'null' },
      body.body,
    );
    expect(nullOrigin.status).toBe(403);
    expect(server.manager.ids()).toEqual([]);
  });

  test('a multipart import (a simple request) without X-Sluice-Request creates nothing; with it, it imports', async () => {
    server = await startHostileServer();
    const upload = multipart(JSON.stringify(pipeFlow('up')));
    const refused = await send('POST', `${server.url}/api/flows/import`, { 'content-type': upload.type }, upload.body);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatch(/X-Sluice-Request/);
    const sameOriginButSimple = await send(
      'POST',
      `${server.url}/api/flows/import`,
      { 'content-type': upload.type, origin: server.url },
      upload.body,
    );
    expect(sameOriginButSimple.status).toBe(403);
    expect(server.manager.ids()).toEqual([]);
    const ok = await send(
      'POST',
      `${server.url}/api/flows/import`,
      { 'content-type': upload.type, 'x-sluice-request': '1', origin: server.url },
      upload.body,
    );
    expect(ok.status).toBe(201);
    expect(server.manager.ids()).toEqual(['up']);
  });

  test('a start sent as a form or text post, or from another origin, starts nothing; scripts and the UI can', async () => {
    server = await startHostileServer();
    await server.manager.create(pipeFlow('run', { count: 0, period: '1s' }));
    const start = `${server.url}/api/flows/run/start`;
    const state = () => server!.manager.status('run').state;
    const attempts: [Record<string, string>, string | undefined, number][] = [
      [{ 'content-type': 'text/plain' }, 'x', 415],
      [{ 'content-type': 'application/x-www-form-urlencoded' }, 'a=1', 415],
      [{ origin: 'http://evil.example' }, undefined, 403],
      [{ origin: 'http://evil.example', 'x-sluice-request': '1' }, undefined, 403],
      [{ origin: server.url }, undefined, 403], // a browser request without the header or a JSON body
      [{ 'sec-fetch-site': 'cross-site' }, undefined, 403],
    ];
    for (const [headers, body, status] of attempts) {
      expect((await send('POST', start, headers, body)).status, JSON.stringify(headers)).toBe(status);
      expect(state()).toBe('stopped');
    }
    // A script (no Origin, no body), and the UI (same origin, with the header).
    expect((await send('POST', start)).status).toBe(200);
    expect(state()).toBe('running');
    expect(
      (await send('POST', `${server.url}/api/flows/run/stop`, { origin: server.url, 'x-sluice-request': '1' })).status,
    ).toBe(200);
    expect(state()).toBe('stopped');
    // Reads are not state-changing: a GET from anywhere still needs only an allowed Host.
    expect((await send('GET', `${server.url}/api/flows`, { origin: 'http://evil.example' })).status).toBe(200);
  });
});

describe('parsing', () => {
  test('a config nested 2,000 levels deep is a 400 naming the path, on every route that reads a body', async () => {
    server = await startHostileServer();
    const flow = pipeFlow('deep');
    (flow.processors[0]!.config as Record<string, unknown>).attributes = nested(2000);
    const text = JSON.stringify(flow);
    for (const route of ['/api/flows', '/api/flows/validate', '/api/flows/import']) {
      const answer = await send('POST', `${server.url}${route}`, { 'content-type': 'application/json' }, text);
      expect(answer.status, route).toBe(400);
      expect(answer.body.details[0].path).toMatch(/^\/processors\/0\/config\/attributes(\/a)+$/);
      expect(answer.body.details[0].message).toMatch(/nested deeper than 64 levels/);
    }
    const relationships = await send(
      'POST',
      `${server.url}/api/processors/UpdateAttribute/relationships`,
      { 'content-type': 'application/json' },
      JSON.stringify(nested(3000)),
    );
    expect(relationships.status).toBe(400);
    const upload = multipart(text);
    const uploaded = await send(
      'POST',
      `${server.url}/api/flows/import`,
      { 'content-type': upload.type, 'x-sluice-request': '1' },
      upload.body,
    );
    expect(uploaded.status).toBe(400);
    expect(uploaded.body.details[0].message).toMatch(/nested deeper/);
    expect(server.manager.ids()).toEqual([]);
    expect((await send('GET', `${server.url}/healthz`)).status).toBe(200);
  });

  test('a truncated multipart upload is a 400, not a 500', async () => {
    server = await startHostileServer();
    const upload = multipart(JSON.stringify(pipeFlow('cut')));
    const cut = upload.body.subarray(0, upload.body.length - 40);
    const answer = await send(
      'POST',
      `${server.url}/api/flows/import`,
      { 'content-type': upload.type, 'x-sluice-request': '1' },
      cut,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(/malformed multipart upload: Unexpected end of form/);
    expect(server.manager.ids()).toEqual([]);
  });

  test('an upload starting with a UTF-8 byte-order mark is accepted, as by the CLI', async () => {
    server = await startHostileServer();
    const upload = multipart(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(pipeFlow('bom')))]),
    );
    const answer = await send(
      'POST',
      `${server.url}/api/flows/import`,
      { 'content-type': upload.type, 'x-sluice-request': '1' },
      upload.body,
    );
    expect(answer.status).toBe(201);
    expect(server.manager.ids()).toEqual(['bom']);
  });
});

describe('event stream clients', () => {
  /** An SSE client that sends its request and then never reads. */
  function stalledClient(port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
        socket.pause();
        resolve(socket);
      });
      socket.on('error', () => {});
      socket.once('error', reject);
      sockets.push(socket);
    });
  }

  test('clients that stop reading are dropped once their backlog passes the bound; a reading client stays', async () => {
    server = await startHostileServer({ maxEventBufferBytes: 64 * 1024, statusIntervalMs: 3_600_000 });
    const stalled = await Promise.all(Array.from({ length: 20 }, () => stalledClient(server!.port)));
    const abort = new AbortController();
    const reader = await fetch(`${server.url}/api/events`, { signal: abort.signal });
    const received: string[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of reader.body!) received.push(decoder.decode(chunk as Uint8Array));
    })().catch(() => {});
    await until(() => server!.stream.clientCount === 21);
    // Every change is pushed to every client (with the flow's status): a flow with many processors makes
    // each push large, so the stalled clients' backlogs grow until the bound cuts them off.
    const big = pipeFlow('churn');
    for (let i = 0; i < 80; i++)
      big.processors.push({
        ...structuredClone(big.processors[0]!),
        id: `gen${i}`,
        name: `Generate ${i}`,
        autoTerminate: ['success'],
      } as (typeof big.processors)[number]);
    await server.manager.create(big);
    for (let i = 0; server.stream.clientCount > 1 && i < 2000; i++)
      await server.manager.replace('churn', { ...big, name: `Churn ${i}` });
    expect(server.stream.clientCount).toBe(1);
    // Their connections were closed by the server: reading now drains what was sent, then the end.
    await Promise.all(
      stalled.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.closed) return resolve();
            s.once('close', () => resolve());
            s.resume();
          }),
      ),
    );
    await until(() => received.join('').includes('"flowId":"churn"'));
    expect((await send('GET', `${server.url}/healthz`)).status).toBe(200);
    abort.abort();
    await reading;
  });

  test('beyond maxEventClients a new client gets 503 with Retry-After', async () => {
    server = await startHostileServer({ maxEventClients: 3 });
    await Promise.all(Array.from({ length: 3 }, () => stalledClient(server!.port)));
    await until(() => server!.stream.clientCount === 3);
    const refused = await send('GET', `${server.url}/api/events`);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.body.error).toMatch(/too many event stream clients/);
    expect(server.stream.clientCount).toBe(3);
  });
});

describe('/listen and listeners', () => {
  function ingestFlow(config: Record<string, unknown> = {}) {
    return {
      schemaVersion: 1,
      id: 'ingest',
      name: 'Ingest',
      processors: [
        { id: 'in', type: 'ListenHTTP', config },
        { id: 'log', type: 'LogAttribute', config: { logLevel: 'none' }, autoTerminate: ['success'] },
      ],
      connections: [{ id: 'c', source: 'in', relationships: ['success'], target: 'log' }],
    };
  }

  test("the server's token, cookies and proxy credentials sent to /listen never become attributes", async () => {
    server = await startHostileServer({ token: 'sekrit-token' });
    const auth = { authorization: 'Bearer sekrit-token' };
    await server.manager.create(ingestFlow({ headersAsAttributes: '.*' }));
    await server.manager.start('ingest');
    await server.manager.stopProcessor('ingest', 'log'); // FlowFiles wait in the queue to be inspected
    const sent = await send(
      'POST',
      `${server.url}/listen/in`,
      {
        ...auth,
        cookie: 'session=abc',
        'proxy-authorization': 'Basic cHJveHk6cHc=',
        'x-trace': 'kept',
        'content-type': 'text/plain',
      },
      'payload',
    );
    expect(sent.status).toBe(200);
    const queue = await send('GET', `${server.url}/api/flows/ingest/connections/c/queue`, auth);
    const attributes = queue.body.flowFiles[0].attributes as Record<string, string>;
    expect(attributes['http.headers.x-trace']).toBe('kept');
    expect(Object.keys(attributes).filter((k) => /authorization|cookie/.test(k))).toEqual([]);
    expect(JSON.stringify(queue.body)).not.toContain('sekrit-token');
  });

  test('a page on another origin cannot post into /listen; a system without Origin can', async () => {
    server = await startHostileServer();
    await server.manager.create(ingestFlow());
    await server.manager.start('ingest');
    await server.manager.stopProcessor('ingest', 'log');
    const refused = await send(
      'POST',
      `${server.url}/listen/in`,
      { origin: 'http://evil.example', 'content-type': 'text/plain' },
      'x',
    );
    expect(refused.status).toBe(403);
    expect((await send('POST', `${server.url}/listen/in`, { 'content-type': 'text/plain' }, 'y')).status).toBe(200);
    const queue = await send('GET', `${server.url}/api/flows/ingest/connections/c/queue`);
    expect(queue.body.count).toBe(1);
  });

  test('ListenHTTP on its own port beyond loopback is refused at validation without a token, with a path', async () => {
    server = await startHostileServer();
    const flow = ingestFlow({ port: 18_999, host: '0.0.0.0' });
    const answer = await send(
      'POST',
      `${server.url}/api/flows`,
      { 'content-type': 'application/json' },
      JSON.stringify(flow),
    );
    // Stored, as every flow is (it cannot start), with the problem named at its path.
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ saved: true, valid: false });
    expect(answer.body.issues).toEqual([
      { path: '/processors/0/config/host', message: expect.stringMatching(/binding "0.0.0.0" opens this listener/) },
    ]);
    const start = await send(
      'POST',
      `${server.url}/api/flows/${flow.id}/start`,
      { 'content-type': 'application/json' },
      '',
    );
    expect(start.status).toBe(409);
    await server.close();
    server = await startHostileServer({ token: 't' });
    expect(server.manager.validate(flow)).toEqual({ valid: true, issues: [] });
  });
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 20));
  }
}
