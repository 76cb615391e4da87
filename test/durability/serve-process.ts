/**
 * `sluice serve` as a real child process on a data directory that outlives it: started, killed with SIGKILL
 * or stopped with SIGTERM, and started again on the same directory, as the durability tests need.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { freePort } from '../helpers/ports';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  port: number;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startServe(dataDir: string, extra: string[] = [], port?: number): Promise<ServeProcess> {
  const p = port ?? (await freePort());
  const child = spawn(
    process.execPath,
    ['bin/sluice.mjs', 'serve', '--port', String(p), '--data', dataDir, '--no-examples', ...extra],
    { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'info', SLUICE_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  const keep = (d: Buffer) => {
    err = (err + d).slice(-100_000);
  };
  child.stderr!.on('data', keep);
  child.stdout!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const serve = { child, url: `http://127.0.0.1:${p}`, port: p, stderr: () => err, exited };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sluice serve exited with ${child.exitCode}:\n${err.slice(-3000)}`);
    try {
      if ((await fetch(`${serve.url}/healthz`)).ok) return serve;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`sluice serve did not answer within 30 s:\n${err.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function kill9(serve: ServeProcess): Promise<void> {
  serve.child.kill('SIGKILL');
  await serve.exited;
}

export async function api(serve: ServeProcess, method: string, route: string, body?: unknown): Promise<any> {
  const res = await fetch(`${serve.url}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * A flow whose sink proves what arrived: each FlowFile's content becomes "key <key>" (the key from an
 * attribute), bundles of up to 500 go to PutFile with unique names, so every line in `outDir` is one arrival.
 */
export function keyedFlow(o: {
  id: string;
  source: { type: string; config: object; schedule?: object };
  keyExpression: string;
  outDir: string;
  slow?: { period: string; batchSize: number };
}) {
  const retry = { penalty: '500ms' };
  return {
    schemaVersion: 1,
    id: o.id,
    name: o.id,
    processors: [
      { id: 'source', ...o.source },
      {
        id: 'slow',
        type: 'UpdateAttribute',
        config: { attributes: { stage: '"slow"' }, batchSize: o.slow?.batchSize ?? 100 },
        autoTerminate: ['failure'],
        schedule: { ...retry, period: o.slow?.period ?? '0ms' },
      },
      {
        id: 'label',
        type: 'EvaluateJSONata',
        config: { expressions: { line: `"key " & ${o.keyExpression}` }, destination: 'content' },
        autoTerminate: ['unmatched', 'failure'],
        schedule: retry,
      },
      {
        id: 'bundle',
        type: 'MergeContent',
        config: { minEntries: 1, maxEntries: 500, demarcator: '\n', footer: '\n', maxBinAge: '1s' },
        autoTerminate: ['original', 'failure'],
        schedule: retry,
      },
      {
        id: 'sink',
        type: 'PutFile',
        config: { directory: o.outDir, conflictResolution: 'unique' },
        autoTerminate: ['success', 'failure'],
        schedule: retry,
      },
    ],
    connections: [
      { id: 'c1', source: 'source', relationships: ['success'], target: 'slow' },
      { id: 'c2', source: 'slow', relationships: ['success'], target: 'label' },
      { id: 'c3', source: 'label', relationships: ['matched'], target: 'bundle' },
      { id: 'c4', source: 'bundle', relationships: ['merged'], target: 'sink' },
    ],
  };
}

/** Key → times it reached the sink of `keyedFlow`. */
export async function arrivals(outDir: string): Promise<Map<string, number>> {
  await mkdir(outDir, { recursive: true });
  const byKey = new Map<string, number>();
  for (const f of await readdir(outDir)) {
    if (f.startsWith('.')) continue;
    for (const line of (await readFile(path.join(outDir, f), 'utf8')).split('\n')) {
      if (!line.startsWith('key ')) continue;
      const key = line.slice(4);
      byKey.set(key, (byKey.get(key) ?? 0) + 1);
    }
  }
  return byKey;
}

/** Lost (expected keys never seen) and duplicated (extra arrivals) counts. */
export function tally(byKey: Map<string, number>, expected: Iterable<string>) {
  let lost = 0;
  let expectedCount = 0;
  for (const k of expected) {
    expectedCount++;
    if (!byKey.has(k)) lost++;
  }
  let duplicates = 0;
  for (const n of byKey.values()) duplicates += n - 1;
  return { expected: expectedCount, distinct: byKey.size, lost, duplicates };
}

/** Polls `check` every 200 ms until it holds, or fails naming `what`. */
export async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * One server and its data directory per test: `start(prefix)` makes the directory and starts the server,
 * `restart()` starts it again on the same directory; after each test it is killed and the directory removed.
 */
export function serveLifecycle() {
  const state: { current?: ServeProcess; dataDir?: string } = {};
  afterEach(async () => {
    if (state.current && state.current.child.exitCode === null) await kill9(state.current);
    state.current = undefined;
    if (state.dataDir) await rm(state.dataDir, { recursive: true, force: true });
    state.dataDir = undefined;
  });
  return {
    get current(): ServeProcess {
      if (!state.current) throw new Error('no server started');
      return state.current;
    },
    get dataDir(): string {
      if (!state.dataDir) throw new Error('no data directory');
      return state.dataDir;
    },
    async start(prefix: string): Promise<ServeProcess> {
      state.dataDir = await mkdtemp(path.join(tmpdir(), prefix));
      state.current = await startServe(state.dataDir);
      return state.current;
    },
    async restart(): Promise<ServeProcess> {
      state.current = await startServe(this.dataDir);
      return state.current;
    },
  };
}
