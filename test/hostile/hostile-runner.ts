/**
 * Runs hostile flow fixtures against a real `sluice serve` process: imports each fixture through the API, starts
 * it, waits until what it must produce is there (or checks that the import was refused), while /healthz is polled
 * every 100 ms; then SIGTERM. Fixture lists for other attack kinds (HTTP, files) reuse `runHostileFixtures`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/ports';
import { waitFor } from '../helpers/wait-for';

const BIN = path.resolve('bin/sluice.mjs');
export const FLOWS_DIR = path.resolve(import.meta.dirname, 'flows');

/** What a fixture must lead to. */
export type HostileExpectation =
  /** The import is refused (4xx) with an issue at this JSON path whose message matches. */
  | { rejected: { path: string; message: RegExp } }
  /**
   * The flow runs: `count` FlowFiles wait in `connection` (its target is disabled), each with `attribute`
   * matching when given; `bulletin`, when given, must be among the bulletins of processor "attack".
   */
  | { queued: { connection: string; count: number; attribute?: [name: string, value: RegExp]; bulletin?: RegExp } };

export interface HostileFixture {
  /** File name in test/hostile/flows (the flow's id is its name without .json). */
  file: string;
  expect: HostileExpectation;
}

export interface HealthPoll {
  at: number;
  ms: number;
  ok: boolean;
}

export interface SluiceProcess {
  url: string;
  child: ChildProcess;
  dataDir: string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `sluice serve` on a free 127.0.0.1 port with an empty data directory (no example flows). */
export async function startSluice(extraArgs: string[] = []): Promise<SluiceProcess> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-hostile-'));
  // A state file makes the directory "not fresh": the example flows are not seeded.
  await writeFile(path.join(dataDir, 'state.json'), '{"flows":{}}\n');
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data', dataDir, ...extraArgs],
    { env: { ...process.env, LOG_LEVEL: 'warn', SLUICE_TOKEN: '' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (c) => {
    stderr = (stderr + c).slice(-200_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok,
    `sluice serve on ${url} (stderr: ${stderr})`,
    30_000,
  );
  return { url, child, dataDir, stderr: () => stderr, exited };
}

/** Polls /healthz every `everyMs`, each poll with its own deadline; `stop()` returns every poll. */
export function watchHealth(url: string, everyMs = 100, deadlineMs = 200): { stop(): Promise<HealthPoll[]> } {
  const polls: Promise<HealthPoll>[] = [];
  const poll = async (): Promise<HealthPoll> => {
    const at = Date.now();
    const start = performance.now();
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(deadlineMs * 5) });
      await res.arrayBuffer();
      return { at, ms: performance.now() - start, ok: res.ok };
    } catch {
      return { at, ms: performance.now() - start, ok: false };
    }
  };
  polls.push(poll());
  const timer = setInterval(() => polls.push(poll()), everyMs);
  return {
    async stop() {
      clearInterval(timer);
      return Promise.all(polls);
    },
  };
}

/** One API call; a server that does not answer within 10 s gives status 0 (a frozen server fails, not hangs). */
async function api(url: string, method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  try {
    const res = await fetch(`${url}/api${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  } catch (err) {
    return { status: 0, json: { error: `${method} ${route}: ${(err as Error).message}` } };
  }
}

export interface FixtureOutcome {
  file: string;
  /** What went wrong, or undefined when the fixture behaved as expected. */
  problem?: string;
}

/**
 * Imports and starts every fixture at once (they run side by side, as hostile flows would), then checks each
 * expectation, waiting up to `timeoutMs` for the queued ones.
 */
export async function runHostileFixtures(
  server: SluiceProcess,
  fixtures: readonly HostileFixture[],
  timeoutMs = 60_000,
): Promise<FixtureOutcome[]> {
  const outcomes = new Map<string, FixtureOutcome>();
  const running: { fixture: HostileFixture; id: string }[] = [];
  for (const fixture of fixtures) {
    const flow = JSON.parse(await readFile(path.join(FLOWS_DIR, fixture.file), 'utf8'));
    const imported = await api(server.url, 'POST', '/flows/import', flow);
    const expectation = fixture.expect;
    if ('rejected' in expectation) {
      const details: { path: string; message: string }[] = imported.json?.details ?? [];
      const hit = details.some(
        (d) => d.path === expectation.rejected.path && expectation.rejected.message.test(d.message),
      );
      outcomes.set(fixture.file, {
        file: fixture.file,
        problem:
          imported.status >= 400 && imported.status < 500 && hit
            ? undefined
            : `expected a 4xx naming ${expectation.rejected.path}, got ${imported.status} ${JSON.stringify(imported.json)}`,
      });
      continue;
    }
    if (imported.status !== 201) {
      outcomes.set(fixture.file, {
        file: fixture.file,
        problem: `import: ${imported.status} ${JSON.stringify(imported.json)}`,
      });
      continue;
    }
    const started = await api(server.url, 'POST', `/flows/${flow.id}/start`);
    if (started.status >= 300) {
      outcomes.set(fixture.file, {
        file: fixture.file,
        problem: `start: ${started.status} ${JSON.stringify(started.json)}`,
      });
      continue;
    }
    running.push({ fixture, id: flow.id });
  }

  const deadline = Date.now() + timeoutMs;
  for (const { fixture, id } of running) {
    const expectation = fixture.expect as Extract<HostileExpectation, { queued: unknown }>;
    const { connection, count, attribute, bulletin } = expectation.queued;
    let last = '';
    let problem: string | undefined = 'not checked';
    for (;;) {
      const status = await api(server.url, 'GET', `/flows/${id}/status`);
      if (status.status !== 200) {
        problem = `status: ${status.status} ${JSON.stringify(status.json)}`;
        break;
      }
      const queued = status.json?.connections?.[connection]?.count ?? 0;
      const bulletins: { message: string }[] = status.json?.processors?.attack?.bulletins ?? [];
      problem = undefined;
      if (queued < count) problem = `${queued} of ${count} FlowFiles in ${connection}`;
      else if (bulletin && !bulletins.some((b) => bulletin.test(b.message)))
        problem = `no bulletin matching ${bulletin}; have ${JSON.stringify(bulletins.map((b) => b.message))}`;
      else if (attribute) {
        const queue = await api(server.url, 'GET', `/flows/${id}/connections/${connection}/queue?limit=${count}`);
        const values: unknown[] = (queue.json?.flowFiles ?? []).map(
          (f: { attributes: Record<string, string> }) => f.attributes[attribute[0]],
        );
        const bad = values.filter((v) => typeof v !== 'string' || !attribute[1].test(v));
        if (bad.length > 0) problem = `${attribute[0]} should match ${attribute[1]}: ${JSON.stringify(bad)}`;
      }
      if (problem === undefined || Date.now() > deadline) break;
      last = problem;
      await new Promise((r) => setTimeout(r, 250));
    }
    outcomes.set(fixture.file, { file: fixture.file, problem: problem && `${problem} (before: ${last})` });
  }
  return fixtures.map((f) => outcomes.get(f.file)!);
}

/** SIGTERM, then the exit within `graceMs` (SIGKILL after it, so a failing test leaves nothing behind). */
export async function stopSluice(
  server: SluiceProcess,
  graceMs: number,
): Promise<{ exitedInTime: boolean; code: number | null }> {
  server.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    server.exited.then((e) => ({ exitedInTime: true, code: e.code })),
    new Promise<{ exitedInTime: boolean; code: null }>((resolve) => {
      timer = setTimeout(() => resolve({ exitedInTime: false, code: null }), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (!result.exitedInTime) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  await rm(server.dataDir, { recursive: true, force: true });
  return result;
}
