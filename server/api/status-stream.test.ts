import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, test } from 'vitest';
import type { FlowChange, FlowManager } from '../runtime/flow-manager';
import { StatusStream, type StatusStreamOptions } from './status-stream';

/** The part of FlowManager the stream reads: flows whose status is a counter `n` (and some padding). */
class FakeFlows {
  readonly flows = new Map<string, { running: boolean; n: number; pad: string }>();
  private readonly listeners = new Set<(change: FlowChange) => void>();

  add(id: string, running: boolean, padBytes = 0): void {
    this.flows.set(id, { running, n: 0, pad: 'x'.repeat(padBytes) });
  }
  bump(id: string): void {
    this.flows.get(id)!.n++;
  }
  emit(change: FlowChange): void {
    for (const l of this.listeners) l(change);
  }
  onChange(listener: (change: FlowChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  ids(): string[] {
    return [...this.flows.keys()];
  }
  list() {
    return [...this.flows].map(([id, f]) => ({ id, state: f.running ? 'running' : 'stopped' }));
  }
  has(id: string): boolean {
    return this.flows.has(id);
  }
  status(id: string) {
    const f = this.flows.get(id)!;
    return { flowId: id, time: Date.now(), running: f.running, processors: {}, connections: {}, n: f.n, pad: f.pad };
  }
}

interface Message {
  type: string;
  flowId?: string;
  action?: string;
  status?: { n: number; time: number };
  intervalMs?: number;
}

/** An SSE reader over node:http that can stop reading (its socket then backs up) and start again. */
function reader(url: string) {
  const messages: Message[] = [];
  let buffer = '';
  let response: http.IncomingMessage | undefined;
  const request = http.get(url, (res) => {
    response = res;
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of block.split('\n')) if (line.startsWith('data: ')) messages.push(JSON.parse(line.slice(6)));
      }
    });
    res.on('error', () => {});
  });
  request.on('error', () => {});
  return {
    messages,
    statuses: (flowId: string) => messages.filter((m) => m.type === 'status' && m.flowId === flowId),
    latest: (flowId: string) => messages.findLast((m) => m.type === 'status' && m.flowId === flowId)?.status?.n,
    pause: () => response?.pause(),
    resume: () => response?.resume(),
    connected: () => response !== undefined,
    close: () => request.destroy(),
  };
}

async function eventually<T>(check: () => T, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${check}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let stop: (() => Promise<void>) | undefined;
const readers: ReturnType<typeof reader>[] = [];
afterEach(async () => {
  for (const r of readers.splice(0)) r.close();
  await stop?.();
  stop = undefined;
});

async function serve(flows: FakeFlows, options: Partial<StatusStreamOptions> = {}) {
  const stream = new StatusStream(flows as unknown as FlowManager, { intervalMs: 20, heartbeatMs: 60_000, ...options });
  const app = express();
  app.get('/events', stream.handler);
  const server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  stop = async () => {
    stream.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  const connect = (query = '') => {
    const r = reader(base + query);
    readers.push(r);
    return r;
  };
  return { stream, connect };
}

describe('StatusStream', () => {
  test('a tick larger than the socket buffer still brings every running flow its changes, the last one too', async () => {
    const flows = new FakeFlows();
    // 12 flows of ~3 KB: each tick is twice the 16 KB a socket takes before it asks to drain.
    for (let i = 0; i < 12; i++) flows.add(`f${i}`, true, 3000);
    const { connect } = await serve(flows);
    const client = connect();
    await eventually(() => client.statuses('f11').length === 1);
    for (let round = 1; round <= 5; round++) {
      for (const id of flows.ids()) flows.bump(id);
      await eventually(() => flows.ids().every((id) => client.latest(id) === round));
    }
  });

  test('a client that stops reading gets every flow’s latest status once it reads again; superseded ones are dropped', async () => {
    const flows = new FakeFlows();
    for (let i = 0; i < 12; i++) flows.add(`f${i}`, true, 20_000);
    const { stream, connect } = await serve(flows, { maxBufferedBytes: 1e9 });
    const client = connect();
    await eventually(() => client.statuses('f11').length === 1);
    client.pause();
    // ~240 KB of new status every 20 ms: the socket backs up, then each flow has one snapshot waiting.
    let bumps = 0;
    const bumper = setInterval(() => {
      bumps++;
      for (const id of flows.ids()) flows.bump(id);
    }, 5);
    try {
      await eventually(() => stream.pendingFlows > 0);
      const from = bumps;
      await eventually(() => bumps > from + 200);
      expect(stream.pendingFlows).toBeLessThanOrEqual(12);
      expect(stream.clientCount).toBe(1);
    } finally {
      clearInterval(bumper);
    }
    client.resume();
    await eventually(() => flows.ids().every((id) => client.latest(id) === flows.flows.get(id)!.n));
    // Far fewer snapshots arrived than were made: the superseded ones were replaced, not queued.
    for (const id of flows.ids()) expect(client.statuses(id).length).toBeLessThan(bumps / 2);
  });

  test('a flow whose status did not change is not sent again; a stopped flow is not pushed each tick', async () => {
    const flows = new FakeFlows();
    flows.add('idle', true);
    flows.add('stopped', false);
    flows.add('busy', true);
    const { connect } = await serve(flows);
    const client = connect();
    await eventually(() => client.statuses('busy').length === 1);
    for (let n = 1; n <= 10; n++) {
      flows.bump('busy');
      await eventually(() => client.latest('busy') === n);
    }
    expect(client.statuses('idle')).toHaveLength(1);
    expect(client.statuses('stopped')).toHaveLength(1);
  });

  test('a flow change arrives before the status that follows it, even an unchanged one', async () => {
    const flows = new FakeFlows();
    flows.add('a', false);
    const { connect } = await serve(flows);
    const client = connect();
    await eventually(() => client.statuses('a').length === 1);
    flows.emit({ flowId: 'a', action: 'updated' });
    flows.flows.delete('a');
    flows.emit({ flowId: 'a', action: 'deleted' });
    await eventually(() => client.messages.length === 4);
    expect(client.messages.map((m) => `${m.type}:${m.action ?? m.status?.n}`)).toEqual([
      'status:0',
      'flow:updated',
      'status:0',
      'flow:deleted',
    ]);
  });

  test('heartbeats are data messages an EventSource sees, with their interval', async () => {
    const flows = new FakeFlows();
    const { connect } = await serve(flows, { heartbeatMs: 30 });
    const client = connect();
    const beats = await eventually(() => {
      const seen = client.messages.filter((m) => m.type === 'heartbeat');
      return seen.length >= 2 ? seen : undefined;
    });
    expect(beats[0]).toMatchObject({ type: 'heartbeat', intervalMs: 30, time: expect.any(Number) });
  });

  test('?statusOf= gets the status of that flow only and the changes of every flow', async () => {
    const flows = new FakeFlows();
    flows.add('a', true);
    flows.add('b', true);
    const { connect } = await serve(flows);
    const client = connect('?statusOf=b');
    await eventually(() => client.statuses('b').length === 1);
    flows.bump('a');
    flows.bump('b');
    flows.emit({ flowId: 'a', action: 'stopped' });
    await eventually(() => client.latest('b') === 1 && client.messages.some((m) => m.type === 'flow'));
    expect(client.messages.filter((m) => m.flowId === 'a')).toEqual([{ type: 'flow', flowId: 'a', action: 'stopped' }]);
  });

  test('a client that stopped reading is dropped once it was offered more than the bound', async () => {
    const flows = new FakeFlows();
    for (let i = 0; i < 4; i++) flows.add(`f${i}`, true, 50_000);
    const { stream, connect } = await serve(flows, { maxBufferedBytes: 256 * 1024 });
    const client = connect();
    await eventually(() => client.connected());
    client.pause();
    const bumper = setInterval(() => {
      for (const id of flows.ids()) flows.bump(id);
    }, 5);
    try {
      await eventually(() => stream.clientCount === 0);
    } finally {
      clearInterval(bumper);
    }
  });
});
