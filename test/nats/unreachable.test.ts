/**
 * Fault 3: NATS is unreachable when the engine starts. It says so in one line naming the URL (no stack
 * trace) and keeps retrying; once a nats-server appears on that port, the flow runs to completion.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type NatsServerHandle, startNats } from '../helpers/nats-server';
import { freePort } from '../helpers/ports';
import { delivered, type EngineProcess, idFlow, runEngine, waitFor, writeJson } from './engine-process';

let nats: NatsServerHandle | undefined;
let dir: string;
const engines: EngineProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-unreachable-'));
});

afterAll(async () => {
  for (const e of engines) e.child.kill('SIGKILL');
  await nats?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('NATS unreachable at start: a clear line naming the URL, retrying, then it runs once NATS is up', async () => {
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  const outDir = path.join(dir, 'out');
  const flow = await writeJson(
    path.join(dir, 'flow.json'),
    idFlow({ id: 'late', source: { type: 'GenerateFlowFile', config: { count: 50, batchSize: 10 } }, outDir }),
  );
  const engine = runEngine(flow, url, ['--until-idle', '--timeout', '60s']);
  engines.push(engine);
  const attempts = () =>
    engine
      .stderr()
      .split('\n')
      .filter((l) => l.includes(`cannot reach NATS at ${url}`));
  await waitFor(() => attempts().length >= 2, 'two failed connection attempts', { engines: [engine] });
  expect(attempts()[0]).toMatch(
    new RegExp(`^sluice: cannot reach NATS at ${url} \\(connection refused\\); retrying in \\d+(\\.\\d)?s`),
  );
  expect(engine.stderr()).not.toMatch(/^\s+at /m);

  nats = await startNats({ port });
  const { code } = await engine.exited;
  expect(code, engine.stderr().slice(-2000)).toBe(0);
  expect((await delivered(outDir)).lines).toBe(50);
  expect(engine.stderr()).not.toMatch(/^\s+at /m);
}, 90_000);

test('NATS never comes up: the run gives up after its timeout, in one clear line', async () => {
  const engine = runEngine(path.join(dir, 'flow.json'), 'nats://127.0.0.1:1', ['--timeout', '3s']);
  engines.push(engine);
  const { code } = await engine.exited;
  expect(code).toBe(1);
  expect(engine.stderr()).toMatch(/cannot reach NATS at nats:\/\/127\.0\.0\.1:1 \(connection refused\)/);
  expect(engine.stderr()).toMatch(/sluice: gave up connecting to NATS at nats:\/\/127\.0\.0\.1:1/);
  expect(engine.stderr()).not.toMatch(/^\s+at /m);
}, 30_000);
