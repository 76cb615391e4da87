/**
 * Fault 1: an engine is killed with SIGKILL in the middle of 20,000 FlowFiles and started again. Every line of
 * the source file and every FlowFile id the provenance stream saw entering the flow reaches the sink at least
 * once; the duplicates (at-least-once) are counted and reported, and the restarted engine's status shows
 * redeliveries. The 20,000 FlowFiles are the lines of one file (GetFile → SplitText), so the source side is
 * quick and the test spends its time where the crash is.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { JetStreamProvenanceStore } from '../../server/nats/jetstream-provenance-store';
import { connectionConsumer, flowStream } from '../../server/nats/names';
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

const COUNT = 20_000;
let nats: NatsServerHandle;
let dir: string;
const engines: EngineProcess[] = [];

beforeAll(async () => {
  nats = await startNats();
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-kill-'));
});

afterAll(async () => {
  for (const e of engines) e.child.kill('SIGKILL');
  await nats?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('kill -9 mid-flow and restart: every FlowFile arrives at least once, duplicates reported', async () => {
  const inDir = path.join(dir, 'in');
  const outDir = path.join(dir, 'out');
  const sources = Array.from({ length: COUNT }, (_, i) => `line-${String(i).padStart(5, '0')}`);
  await mkdir(inDir);
  await writeFile(path.join(inDir, 'lines.txt'), `${sources.join('\n')}\n`);
  const flow = await writeJson(
    path.join(dir, 'flow.json'),
    idFlow({
      id: 'killed',
      source: { type: 'GetFile', config: { directory: inDir } },
      outDir,
      minEntries: 1000,
      splitLines: true,
    }),
  );
  const args = ['--until-idle', '--timeout', '120s', '--nats-ack-wait', '2s'];

  const first = runEngine(flow, nats.url, args);
  engines.push(first);
  // Killed once it delivered some and holds messages it has not acknowledged (MergeContent's open bin).
  const link = await NatsLink.open(nats.url);
  const holding = async () => {
    for (const c of ['c0', 'c1', 'c2', 'c3'])
      if ((await link.jsm.consumers.info(flowStream('killed'), connectionConsumer(c))).num_ack_pending > 0) return true;
    return false;
  };
  await waitFor(
    async () => (await countLines(outDir)) >= 2000 && (await holding()),
    'the first engine to deliver 2,000 FlowFiles and hold more',
    { engines: [first] },
  );
  first.child.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');
  const atKill = await countLines(outDir);
  expect(atKill).toBeLessThan(COUNT); // killed in the middle, not after the end

  const second = runEngine(flow, nats.url, args);
  engines.push(second);
  const { code } = await second.exited;
  expect(code, second.stderr().slice(-3000)).toBe(0);
  const status = finalStatus(second);

  const out = await delivered(outDir);
  const missing = sources.filter((s) => !out.bySource.has(s));
  expect(missing).toEqual([]);
  expect(await readdir(inDir)).toEqual([]);

  // Every FlowFile id that entered the flow (a child of a FORK of SplitText in the NATS provenance stream,
  // which outlived the killed engine) reached the sink.
  const provenance = await JetStreamProvenanceStore.open(link, { indexSize: 400_000 });
  const splits = provenance.query({ flowId: 'killed', type: 'FORK', limit: 1_000_000 });
  await provenance.close();
  await link.close();
  const entered = splits.flatMap((e) => e.childIds);
  expect(entered.length).toBeGreaterThanOrEqual(COUNT);
  expect(entered.filter((id) => !out.byId.has(id))).toEqual([]);

  const duplicates = out.lines - COUNT;
  const repeatedIds = [...out.byId.values()].filter((n) => n > 1).length;
  const redelivered = Object.values(status.connections as Record<string, { redelivered: number }>).reduce(
    (n, c) => n + c.redelivered,
    0,
  );
  console.log(
    `kill -9 after ${atKill} of ${COUNT}: ${out.lines} delivered, ${duplicates} duplicates ` +
      `(${repeatedIds} FlowFile ids delivered more than once, ${duplicates - repeatedIds} lines split again); ` +
      `restarted engine saw ${redelivered} FlowFiles redelivered`,
  );
  expect(redelivered).toBeGreaterThan(0);
  expect(status.backend).toMatchObject({ kind: 'nats', connected: true });
  for (const c of Object.values(status.connections as Record<string, { count: number }>)) expect(c.count).toBe(0);
}, 150_000);
