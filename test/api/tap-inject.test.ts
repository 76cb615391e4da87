/**
 * The debug sidebar's API on a real server: watch a connection, inject a FlowFile into it (RECEIVE in
 * provenance), see it in the ring and on the live stream, and LogAttribute's lines in the flow's debug log.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, pipeFlow, startTestServer, type TestServer } from './api-helpers';

let t: TestServer;
const json = { 'content-type': 'application/json' };

beforeAll(async () => {
  t = await startTestServer();
  const flow = pipeFlow('p', { count: 0, period: '1h' });
  flow.processors[1]!.config = { logLevel: 'info', logPayload: true } as never;
  const res = await fetch(`${t.url}/api/flows`, { method: 'POST', headers: json, body: JSON.stringify(flow) });
  expect(res.status).toBe(201);
});

afterAll(async () => {
  await t?.close();
});

/** Reads SSE messages until `match` returns a value (or the timeout); aborts the stream after. */
async function readStream<T>(url: string, match: (msg: any) => T | undefined, act?: () => Promise<void>): Promise<T> {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let acted = false;
  const timer = setTimeout(() => abort.abort(), 10_000);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += value;
      let at = buffer.indexOf('\n\n');
      while (at >= 0) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        at = buffer.indexOf('\n\n');
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const msg = JSON.parse(data.slice(6));
        const found = match(msg);
        if (found !== undefined) return found;
        if (!acted && act) {
          acted = true;
          await act();
        }
      }
    }
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

describe('tap and inject', () => {
  test('an injected FlowFile is a RECEIVE from the user, waits in a stopped flow, and shows in the tap ring', async () => {
    const watch = await fetch(`${t.url}/api/flows/p/connections/gen-to-log/tap`, { method: 'POST' });
    expect(watch.status).toBe(200);
    const res = await fetch(`${t.url}/api/flows/p/connections/gen-to-log/inject`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ content: '{"n":1}', attributes: { who: 'me' } }),
    });
    expect(res.status).toBe(201);
    const { flowFileId } = (await res.json()) as any;
    const queue = (await (await fetch(`${t.url}/api/flows/p/connections/gen-to-log/queue`)).json()) as any;
    expect(queue.flowFiles.map((f: { id: string }) => f.id)).toContain(flowFileId);
    const events = (await (await fetch(`${t.url}/api/provenance?flowFileId=${flowFileId}`)).json()) as any;
    expect(events.events ?? events).toEqual([
      expect.objectContaining({ type: 'RECEIVE', transitUri: 'sluice://user/anonymous', details: 'injected' }),
    ]);
    const ring = (await (await fetch(`${t.url}/api/flows/p/connections/gen-to-log/tap`)).json()) as any;
    expect(ring.entries[0]).toMatchObject({
      flowFileId,
      attributes: { who: 'me' },
      preview: { preview: '{"n":1}', encoding: 'text' },
    });
    expect(Buffer.from(ring.entries[0].content, 'base64').toString()).toBe('{"n":1}');
  });

  test('a bad inject body is a 400 naming the paths; an unknown connection a 404', async () => {
    const bad = await fetch(`${t.url}/api/flows/p/connections/gen-to-log/inject`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ content: 1, attributes: { a: 2 } }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).details).toEqual([
      { path: '/content', message: 'must be a string' },
      { path: '/attributes/a', message: 'must be a string' },
    ]);
    const missing = await fetch(`${t.url}/api/flows/p/connections/nope/inject`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ content: 'x' }),
    });
    expect(missing.status).toBe(404);
  });

  test('the stream pushes tap entries and, once the flow runs, LogAttribute lines', async () => {
    const url = `${t.url}/api/flows/p/taps/stream?connections=gen-to-log`;
    const entry = await readStream(
      url,
      (msg) => (msg.type === 'tap' ? msg.entries[0] : undefined),
      async () => {
        await fetch(`${t.url}/api/flows/p/connections/gen-to-log/inject`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ content: 'live' }),
        });
      },
    );
    expect(entry.preview.preview).toBe('live');
    const line = await readStream(
      url,
      (msg) => (msg.type === 'debug' || msg.type === 'debug-snapshot' ? msg.entries[0] : undefined),
      async () => {
        await fetch(`${t.url}/api/flows/p/start`, { method: 'POST' });
      },
    );
    expect(line).toMatchObject({ processorId: 'log', processorType: 'LogAttribute' });
    const debug = await eventually(async () => {
      const body = (await (await fetch(`${t.url}/api/flows/p/debug?processorId=log`)).json()) as any;
      return body.entries.length >= 2 && body;
    });
    expect(debug.entries.map((e: { content: string }) => e.content)).toContain('live');
    const cleared = await fetch(`${t.url}/api/flows/p/debug`, { method: 'DELETE' });
    expect(cleared.status).toBe(200);
    await fetch(`${t.url}/api/flows/p/stop`, { method: 'POST' });
  });

  test('a flood of debug lines reaches the stream bounded: at most 100 a message, the rest counted', async () => {
    const flood = pipeFlow('flood', { count: 5000, batchSize: 1000, period: '0s' });
    flood.processors[1]!.config = { logLevel: 'info', batchSize: 1000 } as never;
    const created = await fetch(`${t.url}/api/flows`, { method: 'POST', headers: json, body: JSON.stringify(flood) });
    expect(created.status).toBe(201);
    let sent = 0;
    let dropped = 0;
    let largest = 0;
    await readStream(
      `${t.url}/api/flows/flood/taps/stream`,
      (msg) => {
        if (msg.type !== 'debug') return undefined;
        sent += msg.entries.length;
        dropped += msg.dropped;
        largest = Math.max(largest, msg.entries.length);
        return sent + dropped === 5000 ? true : undefined;
      },
      async () => {
        await fetch(`${t.url}/api/flows/flood/start`, { method: 'POST' });
      },
    );
    expect(largest).toBeLessThanOrEqual(100);
    expect(sent + dropped).toBe(5000);
    await fetch(`${t.url}/api/flows/flood/stop`, { method: 'POST' });
  });

  test('DELETE stops watching', async () => {
    const res = await fetch(`${t.url}/api/flows/p/connections/gen-to-log/tap`, { method: 'DELETE' });
    expect(await res.json()).toMatchObject({ stopped: true });
    const ring = await fetch(`${t.url}/api/flows/p/connections/gen-to-log/tap`);
    expect(ring.status).toBe(404);
  });
});
