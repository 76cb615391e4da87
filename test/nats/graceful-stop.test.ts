/**
 * An engine stopped with SIGTERM hands the messages it holds back to the streams at once, so another engine
 * can take them without waiting for ack_wait.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { connectionSpec } from '../../server/nats/jetstream-test-kit';
import { connectionConsumer, flowStream } from '../../server/nats/names';
import { NatsBackend } from '../../server/nats/nats-backend';
import { NatsLink } from '../../server/nats/nats-link';
import { takeN } from '../../server/storage/queue-contract';
import { type NatsServerHandle, startNats } from '../helpers/nats-server';
import { type EngineProcess, idFlow, runEngine, waitFor, writeJson } from './engine-process';

let nats: NatsServerHandle;
let dir: string;
const engines: EngineProcess[] = [];

beforeAll(async () => {
  nats = await startNats();
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-stop-'));
});

afterAll(async () => {
  for (const e of engines) e.child.kill('SIGKILL');
  await nats?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('SIGTERM hands held messages back at once, not after ack_wait', async () => {
  // MergeContent waits for 1,000 FlowFiles that never come: it holds the 500 it has, unacknowledged.
  const source = { type: 'GenerateFlowFile', config: { count: 500, batchSize: 100 } };
  const flow = await writeJson(
    path.join(dir, 'flow.json'),
    idFlow({ id: 'stopped', source, outDir: path.join(dir, 'out'), minEntries: 1000, maxBinAge: '5min' }),
  );
  const engine = runEngine(flow, nats.url, ['--timeout', '60s', '--nats-ack-wait', '60s']);
  engines.push(engine);
  const link = await NatsLink.open(nats.url);
  const c2 = () => link.jsm.consumers.info(flowStream('stopped'), connectionConsumer('c2'));
  // All 500 labelled, in 5 messages of 100, all held by MergeContent (no consumer yet: not holding).
  const holding = () =>
    c2().then(
      (ci) => ci.num_ack_pending === 5,
      () => false,
    );
  await waitFor(holding, 'the engine to hold all 500', { engines: [engine] });

  engine.child.kill('SIGTERM');
  expect((await engine.exited).code).toBe(130);
  await link.close();

  // Another process gets all 500 within seconds, though ack_wait is a minute: they were handed back.
  const other = await NatsBackend.open({ url: nats.url, ackWaitMs: 60_000, provenance: false });
  const spec = { ...connectionSpec('c2'), source: 'label', target: 'bundle' };
  const queue = other.createQueue('stopped', spec);
  await queue.ready();
  const again = await takeN(queue, 500);
  expect(new Set(again.map((ff) => ff.id)).size).toBe(500);
  queue.acknowledge(again);
  await other.close();
}, 60_000);
