/**
 * Fault 2: nats-server restarts (same store directory) in the middle of a flow. The engine reconnects by
 * itself, its status shows that it was disconnected, and every FlowFile still arrives.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type NatsServerHandle, startNats } from '../helpers/nats-server';
import {
  countLines,
  delivered,
  type EngineProcess,
  finalStatus,
  idFlow,
  runEngine,
  seedFiles,
  waitFor,
  writeJson,
} from './engine-process';

const COUNT = 5000;
let nats: NatsServerHandle;
let dir: string;
const engines: EngineProcess[] = [];

beforeAll(async () => {
  nats = await startNats();
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-restart-'));
});

afterAll(async () => {
  for (const e of engines) e.child.kill('SIGKILL');
  await nats?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('nats-server restarts mid-flow: the engine reconnects, reports the disconnect, loses nothing', async () => {
  const inDir = path.join(dir, 'in');
  const outDir = path.join(dir, 'out');
  const sources = await seedFiles(inDir, COUNT);
  const flow = await writeJson(
    path.join(dir, 'flow.json'),
    idFlow({ id: 'restarted', source: { type: 'GetFile', config: { directory: inDir, batchSize: 100 } }, outDir }),
  );
  const engine = runEngine(flow, nats.url, ['--until-idle', '--timeout', '90s', '--nats-ack-wait', '5s']);
  engines.push(engine);
  await waitFor(async () => (await countLines(outDir)) >= 500, 'the engine to deliver 500 FlowFiles', {
    engines: [engine],
  });
  const before = await countLines(outDir);
  await nats.restart();
  expect(before).toBeLessThan(COUNT); // the restart happened in the middle

  const { code } = await engine.exited;
  expect(code, engine.stderr().slice(-3000)).toBe(0);
  const status = finalStatus(engine);
  expect(status.backend).toMatchObject({ kind: 'nats', connected: true });
  expect(status.backend.disconnects).toBeGreaterThanOrEqual(1);
  expect(status.backend.reconnects).toBeGreaterThanOrEqual(1);
  expect(engine.stderr()).toContain('lost the NATS connection');

  const out = await delivered(outDir);
  expect(sources.filter((s) => !out.bySource.has(s))).toEqual([]);
  expect(await readdir(inDir)).toEqual([]);
  console.log(
    `nats-server restarted after ${before} of ${COUNT}: ${out.lines} delivered, ${out.lines - COUNT} duplicates`,
  );
}, 120_000);
