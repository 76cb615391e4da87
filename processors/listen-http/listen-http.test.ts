import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import {
  configIssues,
  dispatchHttpListener,
  failingAfterTrigger,
  httpListenerIds,
  type ProcessorRunner,
  processorRunner,
} from '../../sdk/testing';
import { freePort } from '../../test/helpers/ports';
import ListenHTTP from '.';

const runners: ProcessorRunner[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const r of runners.splice(0)) await r.stop();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function listener(config: object, options: { processorId?: string } = {}) {
  const port = await freePort();
  const run = processorRunner(ListenHTTP, { port, ...config }, options);
  runners.push(run);
  await run.start();
  return { run, url: `http://127.0.0.1:${port}` };
}

/** Sends a request and reports whether the answer has arrived yet, so a test can check "not before commit". */
function send(url: string, init: RequestInit = {}) {
  const result = { done: false, response: undefined as Response | undefined };
  const promise = fetch(url, { method: 'POST', ...init }).then((res) => {
    result.done = true;
    result.response = res;
    return res;
  });
  return Object.assign(promise, { result });
}

describe('ListenHTTP on its own port', () => {
  test('a POST becomes a FlowFile with http.* attributes and RECEIVE; 200 only after the commit', async () => {
    const { run, url } = await listener({ path: '/ingest', headersAsAttributes: '^x-trace$' });
    const woke = run.nextWake();
    const request = send(`${url}/ingest?source=test&tag=a&tag=b`, {
      body: '{"id":1}',
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-trace': 'abc' },
    });
    await woke;
    await new Promise((r) => setTimeout(r, 30));
    expect(request.result.done).toBe(false);
    await run.trigger();
    const res = await request;
    expect(res.status).toBe(200);
    const [ff] = run.transferred('success');
    expect(await res.json()).toEqual({ flowFileId: ff!.id });
    expect(ff!.content.toString()).toBe('{"id":1}');
    expect(ff!.attributes).toMatchObject({
      'http.method': 'POST',
      'http.path': '/ingest',
      'http.query.source': 'test',
      'http.query.tag': 'a,b',
      'http.headers.x-trace': 'abc',
      'http.remote.addr': expect.stringMatching(/127\.0\.0\.1/),
      'mime.type': 'application/json',
    });
    const receive = run.provenance().find((e) => e.type === 'RECEIVE')!;
    expect(receive.flowFileId).toBe(ff!.id);
    expect(receive.transitUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ingest$/);
  });

  test('503 with Retry-After while backpressured, then accepted once it clears', async () => {
    const { run, url } = await listener({ retryAfter: 7 });
    await run.trigger(); // the first trigger hands the processor its backpressure check
    run.backPressured = true;
    const refused = await fetch(url, { method: 'POST', body: 'x' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect(run.wakes).toBe(0);
    run.backPressured = false;
    const woke = run.nextWake();
    const accepted = send(url, { body: 'x' });
    await woke;
    await run.trigger();
    expect((await accepted).status).toBe(200);
    expect(run.transferred('success')).toHaveLength(1);
  });

  test('500 when the session rolls back; the client can retry', async () => {
    let fail = true;
    const Failing = failingAfterTrigger(ListenHTTP, () => fail, 'commit trouble');
    const port = await freePort();
    const run = processorRunner(Failing, { port });
    runners.push(run);
    await run.start();
    const woke = run.nextWake();
    const request = send(`http://127.0.0.1:${port}/`, { body: 'lost?' });
    await woke;
    await expect(run.trigger()).rejects.toThrow('commit trouble');
    expect((await request).status).toBe(500);
    expect(run.transferred('success')).toHaveLength(0);
    fail = false;
    const retried = run.nextWake();
    const again = send(`http://127.0.0.1:${port}/`, { body: 'lost?' });
    await retried;
    await run.trigger();
    expect((await again).status).toBe(200);
  });

  test('empty, binary and large bodies; 413 over maxBodySize; 404 and 405', async () => {
    const { run, url } = await listener({ maxBodySize: '6 MB' });
    const bytes = Buffer.from([0, 0xff, 0x80, 0x0a]);
    const big = Buffer.alloc(5 * 1024 * 1024, 'z');
    const requests = [send(url, { body: '' }), send(url, { body: bytes }), send(url, { body: big })];
    while (run.wakes < 3) await run.nextWake();
    await run.trigger();
    expect((await Promise.all(requests)).map((r) => r.status)).toEqual([200, 200, 200]);
    const sizes = run
      .transferred('success')
      .map((f) => f.size)
      .sort((a, b) => a - b);
    expect(sizes).toEqual([0, 4, big.length]);
    expect(run.transferred('success').some((f) => f.content.equals(bytes))).toBe(true);

    const tooBig = await fetch(url, { method: 'POST', body: Buffer.alloc(7 * 1024 * 1024) });
    expect(tooBig.status).toBe(413);
    expect((await fetch(`${url}/elsewhere`, { method: 'POST', body: 'x' })).status).toBe(404);
    const get = await fetch(url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  test('requests beyond maxPendingRequests get 503; a stop answers the pending ones with 503', async () => {
    const { run, url } = await listener({ maxPendingRequests: 1 });
    const woke = run.nextWake();
    const first = send(url, { body: '1' });
    await woke;
    expect((await fetch(url, { method: 'POST', body: '2' })).status).toBe(503);
    await run.stop();
    expect((await first).status).toBe(503);
    expect(run.transferred('success')).toHaveLength(0);
  });

  test('a port already in use fails the start', async () => {
    const blocker = createServer();
    servers.push(blocker);
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as AddressInfo;
    const run = processorRunner(ListenHTTP, { port });
    await expect(run.start()).rejects.toThrow(/EADDRINUSE/);
  });

  test('credentials never become attributes; other headers only when headersAsAttributes matches', async () => {
    for (const [headersAsAttributes, kept] of [
      [undefined, ['http.headers.content-type', 'http.headers.user-agent']],
      ['.*', ['http.headers.content-type', 'http.headers.user-agent', 'http.headers.x-api-note']],
    ] as const) {
      const { run, url } = await listener(headersAsAttributes ? { headersAsAttributes } : {});
      const woke = run.nextWake();
      const request = send(url, {
        body: 'x',
        headers: {
          authorization: 'Bearer server-token',
          'proxy-authorization': 'Basic cDpw',
          cookie: 'sid=1',
          'content-type': 'text/plain',
          'user-agent': 'probe',
          'x-api-note': 'n',
        },
      });
      await woke;
      await run.trigger();
      expect((await request).status).toBe(200);
      const names = Object.keys(run.transferred('success')[0]!.attributes).filter((k) => k.startsWith('http.headers.'));
      expect(names.sort()).toEqual(expect.arrayContaining([...kept]));
      expect(names.filter((n) => /authorization|cookie/.test(n))).toEqual([]);
      if (!headersAsAttributes) expect(names).not.toContain('http.headers.x-api-note');
      await run.stop();
    }
  });

  test('its own port beyond loopback needs a server with a token; the budget must hold one body', () => {
    expect(configIssues(ListenHTTP, { port: 9000, host: '0.0.0.0' })).toEqual([
      { path: '/host', message: expect.stringMatching(/binding "0.0.0.0" opens this listener beyond this machine/) },
    ]);
    expect(configIssues(ListenHTTP, { port: 9000, host: '127.0.0.1' })).toEqual([]);
    expect(configIssues(ListenHTTP, { port: 0, host: '0.0.0.0' })).toEqual([]); // mounted: the host is unused
    expect(configIssues(ListenHTTP, { maxBodySize: '20 MB', maxPendingSize: '10 MB' })).toEqual([
      { path: '/maxPendingSize', message: expect.stringMatching(/at least maxBodySize/) },
    ]);
    expect(configIssues(ListenHTTP, { headersAsAttributes: '(' })[0]!.path).toBe('/headersAsAttributes');
  });

  test('config is checked: path must start with /, sizes must be sizes', () => {
    expect(configIssues(ListenHTTP, { path: 'ingest', maxBodySize: 'big' }).map((i) => i.path)).toEqual([
      '/path',
      '/maxBodySize',
    ]);
  });
});

describe('ListenHTTP mounted under the server', () => {
  async function host(): Promise<string> {
    const server = createServer((req, res) => {
      const id = /^\/listen\/([^/?]+)/.exec(req.url ?? '')?.[1];
      if (!id || !dispatchHttpListener(decodeURIComponent(id), req, res)) {
        res.writeHead(404).end();
      }
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  test('port 0 registers /listen/<processor id> and unregisters at stop', async () => {
    const base = await host();
    const run = processorRunner(ListenHTTP, { path: '/orders' }, { processorId: 'ingest-1' });
    runners.push(run);
    await run.start();
    expect(httpListenerIds()).toContain('ingest-1');
    const woke = run.nextWake();
    const request = send(`${base}/listen/ingest-1/orders?x=1`, { body: 'mounted' });
    await woke;
    await run.trigger();
    expect((await request).status).toBe(200);
    const [ff] = run.transferred('success');
    expect(ff!.content.toString()).toBe('mounted');
    expect(ff!.attributes['http.query.x']).toBe('1');
    expect((await fetch(`${base}/listen/ingest-1/other`, { method: 'POST', body: 'x' })).status).toBe(404);

    const second = processorRunner(ListenHTTP, {}, { processorId: 'ingest-1' });
    await expect(second.start()).rejects.toThrow(/already served/);

    await run.stop();
    expect(httpListenerIds()).not.toContain('ingest-1');
    expect((await fetch(`${base}/listen/ingest-1/orders`, { method: 'POST', body: 'x' })).status).toBe(404);
  });
});
