/**
 * Cross-site request forgery in real Chromium: a page served from another origin (a second HTTP server on
 * another port) sends what a browser lets any page send without a preflight: a no-cors multipart import, a
 * no-cors start, a text/plain start and a form post. Nothing is created or started; the same requests from the
 * server's own origin with the UI's header work.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { pipeFlow } from '../api/api-helpers';
import { apiJson, launchChromium, type SluiceProcess, startSluice, until } from './harness';

let server: SluiceProcess;
let browser: Browser;
let evil: Server;
let evilUrl: string;

const attackPage = (target: string) => `<!doctype html><meta charset="utf-8"><title>evil</title>
<form id="f" method="post" action="${target}/api/flows/victim/start" enctype="text/plain" target="sink">
  <input name="x" value="1"></form><iframe name="sink"></iframe>
<script>
  window.attack = async () => {
    const flow = ${JSON.stringify(JSON.stringify(pipeFlow('planted', { count: 0 })))};
    const form = new FormData();
    form.append('file', new Blob([flow], { type: 'application/json' }), 'planted.json');
    // The answers are opaque, and helmet's Cross-Origin-Resource-Policy makes Chromium drop them: fetch rejects,
    // but the request has been sent; only the server's refusal keeps it from acting.
    const send = (init) => fetch('${target}' + init.path, { method: 'POST', mode: 'no-cors', ...init }).catch(() => {});
    await send({ path: '/api/flows/import', body: form });
    await send({ path: '/api/flows/victim/start' });
    await send({ path: '/api/flows/victim/start', body: 'go' });
    await send({ path: '/api/flows/victim/start', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    document.getElementById('f').submit();
  };
</script>`;

beforeAll(async () => {
  [server, browser] = await Promise.all([startSluice(), launchChromium()]);
  evil = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(attackPage(server.url));
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => evil?.close(resolve));
  await server?.stop();
});

test('a page from another origin can neither import a flow nor start one', async () => {
  await apiJson(server, 'POST', '/flows', pipeFlow('victim', { count: 0, period: '1s' }));
  const page = await (await browser.newContext()).newPage();
  // Chromium drops the opaque answers (helmet's Cross-Origin-Resource-Policy), but its network layer still
  // reports their status: proof the requests reached the server and were refused there.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const sent = new Map<string, { url: string; method: string }>();
  // Chromium may report a response's ExtraInfo before the request itself: both are kept by id and joined.
  const statusById = new Map<string, number>();
  cdp.on('Network.requestWillBeSent', (e) => {
    if (e.request.url.startsWith(server.url))
      sent.set(e.requestId, { url: e.request.url.slice(server.url.length), method: e.request.method });
  });
  cdp.on('Network.responseReceivedExtraInfo', (e) => {
    statusById.set(e.requestId, e.statusCode);
  });
  const answered = () =>
    [...sent]
      .filter(([id, request]) => statusById.has(id) && request.method === 'POST')
      .map(([id, request]) => ({ ...request, status: statusById.get(id)! }));
  await page.goto(evilUrl);
  await page.evaluate(() => (globalThis as unknown as { attack: () => Promise<void> }).attack());
  await until('the five attacks answered', () => answered().length >= 5);

  expect(answered()).toEqual([
    { url: '/api/flows/import', method: 'POST', status: 403 },
    { url: '/api/flows/victim/start', method: 'POST', status: 403 },
    { url: '/api/flows/victim/start', method: 'POST', status: 403 },
    { url: '/api/flows/victim/start', method: 'POST', status: 403 },
    { url: '/api/flows/victim/start', method: 'POST', status: 403 },
  ]);
  // The server holds its example flows too: only "victim" and "planted" matter.
  const mine = async () =>
    (await apiJson<{ id: string; state: string }[]>(server, 'GET', '/flows'))
      .filter((f) => f.id === 'victim' || f.id === 'planted')
      .map((f) => [f.id, f.state]);
  expect(await mine()).toEqual([['victim', 'stopped']]);

  // The same start from the server's own origin with the UI's header works.
  const own = await (await browser.newContext()).newPage();
  await own.goto(`${server.url}/healthz`);
  const status = await own.evaluate(
    async () =>
      (await fetch('/api/flows/victim/start', { method: 'POST', headers: { 'X-Sluice-Request': '1' } })).status,
  );
  expect(status).toBe(200);
  expect(await mine()).toEqual([['victim', 'running']]);
});
