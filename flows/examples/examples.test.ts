/** The two pipeline examples, run for real: the CSV one through the CLI, the HTTP one in an engine behind a server. */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { FlowEngine } from '../../server/engine/flow-engine';
import { dispatchHttpListener } from '../../server/runtime/http-listeners';
import { validateFlow } from '../../server/validation/flow-validator';

const root = path.resolve(import.meta.dirname, '../..');
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

describe('csv-orders-to-json-lines', () => {
  test('sluice run --until-idle turns the sample CSVs into eu, other and rejected JSON lines', async () => {
    const cwd = await tempDir('sluice-csv-example-');
    await mkdir(path.join(cwd, 'data/csv-in'), { recursive: true });
    // Its samples are the CSV files at the top of input/ (by-region/ holds the SQL example's).
    for (const f of (await readdir(path.join(root, 'flows/examples/input'))).filter((n) => n.endsWith('.csv')))
      await copyFile(path.join(root, 'flows/examples/input', f), path.join(cwd, 'data/csv-in', f));
    const r = spawnSync(
      process.execPath,
      [
        path.join(root, 'bin/sluice.mjs'),
        'run',
        path.join(root, 'flows/examples/csv-orders-to-json-lines.json'),
        '--until-idle',
      ],
      { cwd, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const status = JSON.parse(r.stdout) as { processors: Record<string, { in: number; errors: number }> };
    expect(status.processors.validate!.in).toBe(12);
    expect(status.processors['log-rejected']!.in).toBe(3);
    expect(Object.values(status.processors).every((p) => p.errors === 0)).toBe(true);

    const out = path.join(cwd, 'data/csv-out');
    const byPrefix = async (prefix: string) => {
      const records: Record<string, unknown>[] = [];
      for (const f of (await readdir(out)).filter((n) => n.startsWith(prefix)))
        records.push(...jsonLines(await readFile(path.join(out, f), 'utf8')));
      return records.map((rec) => rec.order_id).sort();
    };
    expect(await byPrefix('eu')).toEqual(['A-1002', 'A-1003', 'A-1004', 'B-2001', 'B-2003']);
    expect(await byPrefix('other')).toEqual(['A-1001', 'A-1005', 'B-2002', 'B-2005']);
    expect(await byPrefix('rejected')).toEqual(['A-1006', 'A-1007', 'B-2004']);
    const eu = jsonLines(await readFile(path.join(out, 'eu.jsonl'), 'utf8'));
    expect(eu.find((rec) => rec.order_id === 'A-1003')).toEqual({
      order_id: 'A-1003',
      customer: 'Hans Müller',
      country: 'DE',
      amount: 1500.25,
      currency: 'EUR',
    });
    expect(await readdir(path.join(cwd, 'data/csv-in'))).toEqual([]);
  });
});

describe('http-ingest-to-files', () => {
  async function start(outDir: string, patch: (flow: any) => void = () => {}) {
    const flow = JSON.parse(await readFile(path.join(root, 'flows/examples/http-ingest-to-files.json'), 'utf8'));
    flow.processors.find((p: { id: string }) => p.id === 'put').config.directory = outDir;
    patch(flow);
    const registry = createRegistry();
    const check = validateFlow(flow, registry);
    if (!check.ok) throw new Error(JSON.stringify(check.issues));
    const engine = new FlowEngine(check.resolved, registry);
    expect(await engine.start()).toEqual([]);
    cleanup.push(() => engine.stop());
    // What the API server does for /listen/:processorId.
    const server: Server = createServer((req, res) => {
      const id = /^\/listen\/([^/?]+)/.exec(req.url ?? '')?.[1];
      if (!id || !dispatchHttpListener(decodeURIComponent(id), req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => server.close(() => r())));
    return { engine, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/listen/ingest` };
  }

  async function waitForFiles(dir: string, n: number): Promise<string[]> {
    for (let i = 0; i < 200; i++) {
      const files = await readdir(dir).catch(() => [] as string[]);
      if (files.length >= n) return files.sort();
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`expected ${n} file(s) in ${dir}`);
  }

  test('each POSTed array is split, enriched, merged back in order and written as one file', async () => {
    const out = await tempDir('sluice-http-example-');
    const { engine, url } = await start(out);
    const events = [{ id: 'e1' }, { id: 'e2', nested: { x: [1, 2] } }, { id: 'e3' }];
    const res = await fetch(url, {
      method: 'POST',
      body: JSON.stringify(events),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    const { flowFileId } = (await res.json()) as { flowFileId: string };
    const [file] = await waitForFiles(out, 1);
    expect(file).toBe(`batch-${flowFileId}.json`);
    const batch = JSON.parse(await readFile(path.join(out, file!), 'utf8')) as Record<string, unknown>[];
    expect(batch.map((e) => [e.id, e.seq])).toEqual([
      ['e1', 0],
      ['e2', 1],
      ['e3', 2],
    ]);
    expect(batch[1]!.nested).toEqual({ x: [1, 2] });
    expect(batch[0]!.client).toMatch(/127\.0\.0\.1/);
    expect(Date.parse(batch[0]!.receivedAt as string)).not.toBeNaN();
    const lineage = await engine.provenance.lineage(flowFileId);
    expect(lineage.events.map((e) => e.type)).toEqual(expect.arrayContaining(['RECEIVE', 'FORK', 'JOIN', 'SEND']));
  });

  test('backpressure reaches the client: 503 while the queue after ListenHTTP is full, 200 again once it drains', async () => {
    const out = await tempDir('sluice-http-example-');
    const { engine, url } = await start(out, (flow) => {
      flow.connections.find((c: { id: string }) => c.id === 'ingest-to-split').backPressure = { objects: 1 };
    });
    await engine.stopProcessor('split');
    expect((await fetch(url, { method: 'POST', body: '[{"n":1}]' })).status).toBe(200);
    const refused = await fetch(url, { method: 'POST', body: '[{"n":2}]' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    await engine.startProcessor('split');
    await waitForFiles(out, 1);
    expect((await fetch(url, { method: 'POST', body: '[{"n":3}]' })).status).toBe(200);
    await waitForFiles(out, 2);
  });

  test('a body that is not JSON is accepted, then routed to the failure log, not lost', async () => {
    const out = await tempDir('sluice-http-example-');
    const { engine, url } = await start(out);
    expect((await fetch(url, { method: 'POST', body: 'not json' })).status).toBe(200);
    expect(await engine.waitUntilIdle(10_000)).toBe(true);
    expect(engine.status().processors['log-errors']!.in).toBe(1);
    expect(await readdir(out)).toEqual([]);
  });
});
