/**
 * Scale-out: two engine processes run the same flow on one NATS. They share its queues (competing pulls on
 * one durable consumer per connection): both do work, and the sink gets every FlowFile exactly once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { JetStreamProvenanceStore } from '../../server/nats/jetstream-provenance-store';
import { NatsLink } from '../../server/nats/nats-link';
import { type NatsServerHandle, startNats } from '../helpers/nats-server';
import { delivered, type EngineProcess, finalStatus, idFlow, runEngine, writeJson } from './engine-process';

const PER_ENGINE = 3000;
let nats: NatsServerHandle;
let dir: string;
const engines: EngineProcess[] = [];

beforeAll(async () => {
  nats = await startNats();
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-scale-'));
});

afterAll(async () => {
  for (const e of engines) e.child.kill('SIGKILL');
  await nats?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('two engines share a flow: both work, every FlowFile reaches the sink exactly once', async () => {
  const outDir = path.join(dir, 'out');
  // Each engine's generator makes 3,000 FlowFiles over about 3 s, so the two overlap.
  const source = {
    type: 'GenerateFlowFile',
    config: { count: PER_ENGINE, batchSize: 100 },
    schedule: { period: '100ms' },
  };
  const flow = await writeJson(path.join(dir, 'flow.json'), idFlow({ id: 'shared', source, outDir }));
  const args = ['--until-idle', '--timeout', '60s'];
  const pair = [runEngine(flow, nats.url, args), runEngine(flow, nats.url, args)];
  engines.push(...pair);
  const exits = await Promise.all(pair.map((e) => e.exited));
  for (const [i, x] of exits.entries()) expect(x.code, pair[i]!.stderr().slice(-2000)).toBe(0);
  const statuses = pair.map(finalStatus);

  for (const s of statuses) {
    expect(s.processors.source.out).toBe(PER_ENGINE);
    expect(s.processors.label.in, 'each engine labelled some').toBeGreaterThan(0);
    expect(s.processors.bundle.in, 'each engine bundled some').toBeGreaterThan(0);
  }
  const sum = (p: string) => statuses.reduce((n, s) => n + s.processors[p].in, 0);
  expect(sum('label')).toBe(2 * PER_ENGINE);
  expect(sum('bundle')).toBe(2 * PER_ENGINE);

  const out = await delivered(outDir);
  expect(out.lines).toBe(2 * PER_ENGINE);
  expect(out.byId.size).toBe(2 * PER_ENGINE);
  expect([...out.byId.values()].every((n) => n === 1)).toBe(true);

  // The shared provenance stream saw both engines create them: exactly the ids the sink got.
  const link = await NatsLink.open(nats.url);
  const provenance = await JetStreamProvenanceStore.open(link);
  const created = provenance.query({ flowId: 'shared', type: 'CREATE', limit: 100_000 });
  await provenance.close();
  await link.close();
  expect(new Set(created.map((e) => e.flowFileId))).toEqual(new Set(out.byId.keys()));
  console.log(
    `scale-out: label ${statuses.map((s) => s.processors.label.in).join(' + ')}, bundle ${statuses
      .map((s) => s.processors.bundle.in)
      .join(' + ')} FlowFiles per engine`,
  );
}, 90_000);
