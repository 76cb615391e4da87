/**
 * Queue swapping: 2,000,000 FlowFiles behind a stopped sink stay on disk but for the head of the queue,
 * then all of them drain, in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { createRegistry } from '../../../processors/registry';
import { waitFor } from '../../../test/helpers/wait-for';
import { defineProcessor } from '../../engine/contract';
import { FlowEngine } from '../../engine/flow-engine';
import { validateFlow } from '../../validation/flow-validator';
import { MemoryProvenanceStore } from '../memory-provenance-store';
import type { DurableQueue } from './durable-queue';
import { FlowFileRepository } from './flowfile-repository';

const OrderSink = defineProcessor({
  type: 'TestOrderSink',
  category: 'sink',
  description: 'Remembers the generate.index of every FlowFile it takes, in arrival order.',
  input: 'required',
  config: { type: 'object', additionalProperties: false, properties: {} },
  relationships: [],
  setup: () => ({ seen: [] as number[] }),
  async onTrigger(session, { state }) {
    for (const ff of await session.get(10_000)) {
      state.seen.push(Number(ff.attributes['generate.index']));
      session.remove(ff);
    }
  },
});

const registry = createRegistry([OrderSink]);
let dir: string | undefined;
let engine: FlowEngine | undefined;
let repo: FlowFileRepository | undefined;
afterEach(async () => {
  await engine?.stop();
  await repo?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const TOTAL = 2_000_000;

test('2,000,000 queued behind a stopped sink: the head in memory, the rest on disk, all drain in order', {
  timeout: 600_000,
}, async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-swap-'));
  repo = FlowFileRepository.open(dir, { sync: 'batch' });
  const check = validateFlow(
    {
      schemaVersion: 1,
      id: 'swap',
      name: 'swap',
      processors: [
        { id: 'gen', type: 'GenerateFlowFile', config: { content: 'x', count: TOTAL, batchSize: 10_000 } },
        { id: 'sink', type: 'TestOrderSink', config: {} },
      ],
      connections: [
        { id: 'c1', source: 'gen', relationships: ['success'], target: 'sink', backPressure: { objects: 3_000_000 } },
      ],
    },
    registry,
  );
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  const provenance = new MemoryProvenanceStore({ maxEvents: 1000, maxAgeMs: 60_000 });
  const r = repo;
  engine = new FlowEngine(check.resolved, registry, {
    queueFactory: r.queueFactory,
    provenance,
    // Provenance is not under test here: 2,000,000 CREATE events would only slow it down.
    commitWriter: (c) => r.commitWriter({ ...c, provenance: undefined }),
  });
  const queue = engine.connection('c1').queue as DurableQueue;
  await engine.start({ skip: new Set(['sink']) });
  await waitFor(() => queue.depth().count === TOTAL, '2,000,000 queued', 500_000);
  const rssMb = Math.round(process.memoryUsage().rss / 1e6);
  process.stdout.write(
    `swap: ${TOTAL} queued, ${queue.swappedOut} on disk only, RSS ${rssMb} MB, repository ${repo.dir}\n`,
  );
  expect(queue.swappedOut).toBeGreaterThanOrEqual(TOTAL - 20_000);
  await engine.startProcessor('sink');
  const sink = engine.processor('sink') as unknown as { state_: { seen: number[] } };
  await waitFor(() => sink.state_.seen.length === TOTAL && queue.depth().count === 0, 'all drained', 500_000);
  const seen = sink.state_.seen;
  let inOrder = true;
  for (let i = 0; i < seen.length; i++) if (seen[i] !== i) inOrder = false;
  expect(inOrder).toBe(true);
});
