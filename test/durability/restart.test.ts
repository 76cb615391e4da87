/**
 * What `sluice serve` acknowledged or queued survives it: ListenHTTP requests answered 200 before a SIGKILL
 * reach the sink after the restart, and 20,000 queued FlowFiles come back in order after a SIGTERM.
 */
import path from 'node:path';
import { expect, test } from 'vitest';
import { api, arrivals, keyedFlow, kill9, type ServeProcess, serveLifecycle, tally, waitUntil } from './serve-process';

const servers = serveLifecycle();

test('every ListenHTTP request answered 200 reaches the sink after a kill -9', { timeout: 240_000 }, async () => {
  let current = await servers.start('sluice-listen-kill-');
  const outDir = path.join(servers.dataDir, 'out');
  await api(
    current,
    'POST',
    '/api/flows',
    keyedFlow({
      id: 'ingest',
      source: { type: 'ListenHTTP', config: {} },
      keyExpression: '$string(content)',
      outDir,
      slow: { period: '20ms', batchSize: 50 },
    }),
  );
  await api(current, 'POST', '/api/flows/ingest/start');
  const accepted: string[] = [];
  let refused = 0;
  let next = 0;
  const serve = current;
  const client = async () => {
    while (next < 6000) {
      const key = `k${next++}`;
      try {
        const res = await fetch(`${serve.url}/listen/source/`, { method: 'POST', body: key });
        if (res.status === 200) accepted.push(key);
        else refused++;
        await res.arrayBuffer();
      } catch {
        refused++; // the process died under this request: the client was never told 200
      }
    }
  };
  const clients = Array.from({ length: 8 }, client);
  await waitUntil(async () => accepted.length >= 1000 + Math.floor(Math.random() * 2000), 'requests accepted');
  await kill9(current);
  await Promise.all(clients);
  const acknowledged = [...accepted];
  current = await servers.restart();
  await waitUntil(async () => tally(await arrivals(outDir), acknowledged).lost === 0, 'every accepted key');
  const result = tally(await arrivals(outDir), acknowledged);
  process.stdout.write(
    `ListenHTTP kill -9: ${acknowledged.length} answered 200, ${refused} refused or cut; ${JSON.stringify(result)}\n`,
  );
  expect(result.lost).toBe(0);
  expect(acknowledged.length).toBeGreaterThanOrEqual(1000);
});

test('SIGTERM with 20,000 queued: all come back, in order, after the restart', { timeout: 240_000 }, async () => {
  let current = await servers.start('sluice-sigterm-');
  const outDir = path.join(servers.dataDir, 'out');
  await api(
    current,
    'POST',
    '/api/flows',
    keyedFlow({
      id: 'held',
      source: { type: 'GenerateFlowFile', config: { content: 'x', count: 20_000, batchSize: 1000 } },
      keyExpression: `attributes.'generate.index'`,
      outDir,
    }),
  );
  // The first connection holds up to 30,000 so the source is not held back at 10,000.
  const flow = await api(current, 'GET', '/api/flows/held');
  flow.connections[0].backPressure = { objects: 30_000 };
  await api(current, 'PUT', '/api/flows/held', flow);
  // Held before the flow starts (a held processor stays held when its flow starts), so nothing passes it.
  await api(current, 'POST', '/api/flows/held/processors/slow/stop');
  await api(current, 'POST', '/api/flows/held/start');
  const depth = async (s: ServeProcess) => (await api(s, 'GET', '/api/flows/held/status')).connections.c1.count;
  const serve = current;
  await waitUntil(async () => (await depth(serve)) === 20_000, '20,000 queued');
  current.child.kill('SIGTERM');
  expect((await current.exited).code).toBe(0);

  current = await servers.restart();
  expect(await depth(current)).toBe(20_000);
  const head = await api(current, 'GET', '/api/flows/held/connections/c1/queue?limit=50');
  expect(head.flowFiles.map((f: { attributes: Record<string, string> }) => f.attributes['generate.index'])).toEqual(
    Array.from({ length: 50 }, (_, i) => String(i)),
  );
  await api(current, 'POST', '/api/flows/held/processors/slow/start');
  const expected = Array.from({ length: 20_000 }, (_, i) => String(i));
  await waitUntil(async () => tally(await arrivals(outDir), expected).lost === 0, 'all 20,000 at the sink');
  const result = tally(await arrivals(outDir), expected);
  expect(result).toEqual({ expected: 20_000, distinct: 20_000, lost: 0, duplicates: 0 });
});
