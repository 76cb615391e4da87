import request from 'supertest';
import { afterEach, describe, expect, test } from 'vitest';
import { eventually, pipeFlow, startTestServer, type TestServer } from './api-helpers';

/** A Server-Sent Events reader over fetch: collects data messages and comments until closed. */
function subscribe(url: string) {
  const controller = new AbortController();
  const messages: any[] = [];
  const comments: string[] = [];
  const status = { code: 0, contentType: '' };
  const done = (async () => {
    const res = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
    status.code = res.status;
    status.contentType = res.headers.get('content-type') ?? '';
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of block.split('\n')) {
          if (line.startsWith('data: ')) messages.push(JSON.parse(line.slice(6)));
          else if (line.startsWith(':')) comments.push(line.slice(1).trim());
        }
        end = buffer.indexOf('\n\n');
      }
    }
  })().catch((err: Error) => {
    if (err.name !== 'AbortError') throw err;
  });
  return { messages, comments, status, close: () => controller.abort(), done };
}

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('GET /api/events', () => {
  test('one status per flow on connect, then the changing queue depth of a running flow', async () => {
    t = await startTestServer({ statusIntervalMs: 100 });
    const api = request(t.url);
    await api.post('/api/flows').send(pipeFlow('quiet')).expect(201);
    await api
      .post('/api/flows')
      .send(pipeFlow('busy', { count: 0, period: '30ms' }))
      .expect(201);
    await api.post('/api/flows/busy/processors/log/stop').expect(200);

    const sse = subscribe(`${t.url}/api/events`);
    await eventually(() => sse.messages.length >= 2);
    expect(sse.status).toEqual({ code: 200, contentType: 'text/event-stream; charset=utf-8' });
    const first = sse.messages.slice(0, 2);
    expect(first.map((m) => [m.type, m.flowId, m.status.state])).toEqual([
      ['status', 'quiet', 'stopped'],
      ['status', 'busy', 'stopped'],
    ]);

    await api.post('/api/flows/busy/start').expect(200);
    const depths = await eventually(() => {
      const seen = sse.messages
        .filter((m) => m.type === 'status' && m.flowId === 'busy' && m.status.state === 'running')
        .map((m) => m.status.connections['gen-to-log'].count as number);
      const distinct = [...new Set(seen)];
      return distinct.length >= 3 ? distinct : undefined;
    });
    // The held queue only grows, and the stream shows it growing.
    expect([...depths].sort((a, b) => a - b)).toEqual(depths);
    expect(sse.messages).toContainEqual({ type: 'flow', flowId: 'busy', action: 'started' });
    // Stopped flows are not pushed every tick.
    const quietCount = () => sse.messages.filter((m) => m.flowId === 'quiet').length;
    const before = quietCount();
    await eventually(() => sse.messages.filter((m) => m.flowId === 'busy').length > depths.length + 3);
    expect(quietCount()).toBe(before);

    sse.close();
    await sse.done;
    await eventually(() => t!.server.events.clientCount === 0);
  });

  test('?flowId= filters; heartbeat messages keep the stream alive', async () => {
    t = await startTestServer({ statusIntervalMs: 100, heartbeatMs: 50 });
    const api = request(t.url);
    await api.post('/api/flows').send(pipeFlow('a')).expect(201);
    await api.post('/api/flows').send(pipeFlow('b')).expect(201);
    const sse = subscribe(`${t.url}/api/events?flowId=b`);
    await eventually(() => sse.messages.some((m) => m.type === 'heartbeat' && m.intervalMs === 50));
    await api.post('/api/flows/a/start').expect(200);
    await api.post('/api/flows/b/start').expect(200);
    await eventually(() => sse.messages.some((m) => m.type === 'flow' && m.flowId === 'b'));
    expect(sse.messages.every((m) => m.type === 'heartbeat' || m.flowId === 'b')).toBe(true);
    sse.close();
    await sse.done;
  });

  test('with a token: ?token= is accepted, a missing or wrong one is 401', async () => {
    t = await startTestServer({ token: 'sekrit' });
    await request(t.url).get('/api/events').expect(401);
    await request(t.url).get('/api/events?token=wrong').expect(401);
    const sse = subscribe(`${t.url}/api/events?token=sekrit`);
    await eventually(() => sse.status.code === 200);
    sse.close();
    await sse.done;
  });
});
