import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { configIssues, processorRunner } from '../../sdk/testing';
import { freePort } from '../../test/helpers/ports';
import InvokeHTTP from '.';

let server: Server;
let base: string;
const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const url = new URL(req.url!, 'http://x');
      const status = /^\/status\/(\d+)$/.exec(url.pathname);
      if (status) {
        res.writeHead(Number(status[1]), { 'content-type': 'text/plain' }).end(`status ${status[1]}`);
      } else if (url.pathname === '/echo') {
        res.writeHead(201, { 'content-type': 'application/octet-stream', 'x-reply': 'yes' }).end(body);
      } else if (url.pathname === '/slow') {
        setTimeout(() => res.writeHead(200).end('late'), 2000);
      } else if (url.pathname === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(Buffer.alloc(5000, 'b'));
      } else if (url.pathname === '/redirect') {
        res.writeHead(302, { location: '/echo' }).end();
      } else {
        res
          .writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
          .end(JSON.stringify({ method: req.method, path: url.pathname, query: url.search }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const literal = (url: string) => JSON.stringify(url);

describe('InvokeHTTP', () => {
  test('POSTs the content with headers from expressions and attributes; success + response (FORK)', async () => {
    const run = processorRunner(InvokeHTTP, {
      url: `${literal(`${base}/echo`)} & "?id=" & attributes.id`,
      headers: { 'x-order': 'attributes.id', 'x-none': 'attributes.missing' },
      attributesToSend: '^tenant$',
    });
    const original = run.enqueue(Buffer.from([0x01, 0xff, 0x00]), {
      id: '42',
      tenant: 'acme',
      'mime.type': 'application/x-thing',
    });
    await run.trigger();
    const request = seen.at(-1)!;
    expect(request.url).toBe('/echo?id=42');
    expect(request.headers).toMatchObject({ 'x-order': '42', tenant: 'acme', 'content-type': 'application/x-thing' });
    expect(request.headers['x-none']).toBeUndefined();
    expect([...request.body]).toEqual([0x01, 0xff, 0x00]);

    const [ok] = run.transferred('success');
    expect(ok!.id).toBe(original.id);
    expect(ok!.attributes).toMatchObject({
      'invokehttp.status.code': '201',
      'invokehttp.request.url': `${base}/echo?id=42`,
    });
    const [response] = run.transferred('response');
    expect([...response!.content]).toEqual([0x01, 0xff, 0x00]);
    expect(response!.attributes).toMatchObject({
      'invokehttp.header.x-reply': 'yes',
      'mime.type': 'application/octet-stream',
    });
    const types = run.provenance().map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['FORK', 'FETCH', 'SEND']));
  });

  test('GET sends no body; empty content POSTs an empty body', async () => {
    const get = processorRunner(InvokeHTTP, { method: 'GET', url: literal(`${base}/json`) });
    get.enqueue('ignored');
    await get.trigger();
    expect(JSON.parse(get.transferred('response')[0]!.content.toString())).toEqual({
      method: 'GET',
      path: '/json',
      query: '',
    });
    expect(get.transferred('response')[0]!.attributes['mime.type']).toBe('application/json');
    const empty = processorRunner(InvokeHTTP, { url: literal(`${base}/echo`) });
    empty.enqueue('');
    await empty.trigger();
    expect(empty.transferred('response')[0]!.size).toBe(0);
    expect(seen.at(-1)!.headers['content-length']).toBe('0');
  });

  test('5xx to retry, 4xx to no retry, without a response FlowFile unless asked', async () => {
    const run = processorRunner(InvokeHTTP, { url: `${literal(`${base}/status/`)} & attributes.code` });
    run.enqueue('', { code: '503' });
    run.enqueue('', { code: '404' });
    await run.trigger();
    expect(run.transferred('retry')[0]!.attributes['invokehttp.status.code']).toBe('503');
    expect(run.transferred('no retry')[0]!.attributes['invokehttp.status.code']).toBe('404');
    expect(run.transferred('response')).toHaveLength(0);

    const always = processorRunner(InvokeHTTP, { url: literal(`${base}/status/400`), alwaysOutputResponse: true });
    always.enqueue('');
    await always.trigger();
    expect(always.transferred('response')[0]!.content.toString()).toBe('status 400');
    expect(always.transferred('no retry')).toHaveLength(1);
  });

  test('redirects are followed, or routed to no retry when not', async () => {
    const follow = processorRunner(InvokeHTTP, { url: literal(`${base}/redirect`), method: 'GET' });
    follow.enqueue('');
    await follow.trigger();
    expect(follow.transferred('success')[0]!.attributes['invokehttp.response.url']).toBe(`${base}/echo`);
    const manual = processorRunner(InvokeHTTP, { url: literal(`${base}/redirect`), followRedirects: false });
    manual.enqueue('');
    await manual.trigger();
    expect(manual.transferred('no retry')[0]!.attributes['invokehttp.status.code']).toBe('302');
  });

  test('connection refused and timeouts go to retry with the error', async () => {
    const closedPort = await freePort();
    const refused = processorRunner(InvokeHTTP, { url: literal(`http://127.0.0.1:${closedPort}/`) });
    refused.enqueue('x');
    await refused.trigger();
    expect(refused.transferred('retry')[0]!.attributes['invokehttp.error']).toMatch(/ECONNREFUSED/);
    const slow = processorRunner(InvokeHTTP, { url: literal(`${base}/slow`), timeout: '200ms' });
    slow.enqueue('x');
    await slow.trigger();
    expect(slow.transferred('retry')[0]!.attributes['invokehttp.error']).toBe('timed out');
  });

  test('bad URLs, expression errors, invalid header values and too-large responses go to failure', async () => {
    const run = processorRunner(InvokeHTTP, {
      url: 'attributes.target',
      headers: { 'x-bad': 'attributes.header' },
      maxResponseSize: '1 KB',
    });
    run.enqueue('', { target: 'not a url' });
    run.enqueue('', { target: 'ftp://example.com/' });
    run.enqueue('');
    run.enqueue('', { target: `${base}/echo`, header: 'line\nbreak' });
    run.enqueue('', { target: `${base}/big` });
    await run.trigger();
    const errors = run.transferred('failure').map((f) => f.attributes['invokehttp.error']);
    expect(errors).toEqual([
      'not a URL: "not a url"',
      'not an http(s) URL: ftp://example.com/',
      'the url expression produced no value: attributes.target',
      expect.stringMatching(/header/i),
      expect.stringMatching(/exceeds maxResponseSize/),
    ]);
    const evalError = processorRunner(InvokeHTTP, { url: '$number(attributes.n)' });
    evalError.enqueue('', { n: 'abc' });
    await evalError.trigger();
    expect(evalError.transferred('failure')).toHaveLength(1);
  });

  test('a batch runs its requests concurrently and routes each', async () => {
    const run = processorRunner(InvokeHTTP, { url: `${literal(`${base}/status/`)} & attributes.code`, batchSize: 10 });
    for (const code of ['200', '500', '204', '418']) run.enqueue('', { code });
    await run.trigger();
    expect(run.transferred('success')).toHaveLength(2);
    expect(run.transferred('retry')).toHaveLength(1);
    expect(run.transferred('no retry')).toHaveLength(1);
  });

  test('an unquoted literal URL is a config error that says how to fix it; bad regex too', () => {
    expect(configIssues(InvokeHTTP, { url: 'http://example.com/x', attributesToSend: '(' })).toEqual([
      { path: '/url', message: expect.stringMatching(/a literal URL needs quotes: "http:\/\/example.com\/x"$/) },
      { path: '/attributesToSend', message: expect.stringMatching(/invalid regular expression/) },
    ]);
  });
});
