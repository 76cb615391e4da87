/**
 * Fault 2: nats-server restarts (same store directory) in the middle of a flow, while the source is still
 * producing. The engine reconnects by itself, its status shows that it was disconnected, and every FlowFile
 * still arrives: publishes during the outage are retried (same message id), not rolled back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { JetStreamProvenanceStore } from '../../server/nats/jetstream-provenance-store';
import { NatsLink } from '../../server/nats/nats-link';
import { type NatsServerHandle, startNats } from '../helpers/nats-server';
import {
  countLines,
  delivered,
  type EngineProcess,
  finalStatus,
  idFlow,
  runEngine,
  waitFor,
  writeJson,
} from './engine-process';

const COUNT = 3000;
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
  const outDir = path.join(dir, 'out');
  // 3,000 FlowFiles over about 3 s: the restart lands while the generator is still publishing.
  const source = { type: 'GenerateFlowFile', config: { count: COUNT, batchSize: 100 }, schedule: { period: '100ms' } };
  const flow = await writeJson(path.join(dir, 'flow.json'), idFlow({ id: 'restarted', source, outDir }));
  const engine = runEngine(flow, nats.url, ['--until-idle', '--timeout', '90s', '--nats-ack-wait', '5s']);
  engines.push(engine);
  await waitFor(async () => (await countLines(outDir)) >= 300, 'the engine to deliver 300 FlowFiles', {
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
  expect(status.processors.source.out).toBe(COUNT);
  const link = await NatsLink.open(nats.url);
  const provenance = await JetStreamProvenanceStore.open(link);
  const created = provenance.query({ flowId: 'restarted', type: 'CREATE', limit: 100_000 }).map((e) => e.flowFileId);
  await provenance.close();
  await link.close();
  expect(created).toHaveLength(COUNT);
  expect(created.filter((id) => !out.byId.has(id))).toEqual([]);
  console.log(
    `nats-server restarted after ${before} of ${COUNT}: ${out.lines} delivered, ${out.lines - COUNT} duplicates`,
  );
}, 120_000);
