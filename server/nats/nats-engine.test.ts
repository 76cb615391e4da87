/**
 * The engine on the NATS back end, in one process: backpressure with the same bound as in-process, status
 * fields from JetStream, emptying a queue that lives in the stream, provenance on the provenance stream.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { type NatsServerHandle, startNats } from '../../test/helpers/nats-server';
import { FlowEngine } from '../engine/flow-engine';
import { closeDroppedQueues, completeMoves, handoverQueues } from '../runtime/engine-swap';
import { validateFlow } from '../validation/flow-validator';
import { NatsBackend } from './nats-backend';

let nats: NatsServerHandle;
let backend: NatsBackend;

beforeAll(async () => {
  nats = await startNats();
  backend = await NatsBackend.open({ url: nats.url, ackWaitMs: 5000 });
});

afterAll(async () => {
  await backend?.close();
  await nats?.stop();
});

function engineFor(flow: object, queueFactory = backend.queueFactory): FlowEngine {
  const registry = createRegistry();
  const check = validateFlow(flow, registry);
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  return new FlowEngine(check.resolved, registry, {
    queueFactory,
    commitWriter: backend.commitWriter,
    provenance: backend.provenance,
    backendStatus: () => backend.status(),
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const genToLog = (id: string, gen: object, objects = 10_000) => ({
  schemaVersion: 1,
  id,
  name: id,
  processors: [
    { id: 'gen', type: 'GenerateFlowFile', config: { content: 'hello', ...gen } },
    { id: 'log', type: 'LogAttribute', config: { logLevel: 'none' }, autoTerminate: ['success'] },
  ],
  connections: [{ id: 'c1', source: 'gen', relationships: ['success'], target: 'log', backPressure: { objects } }],
});

describe('FlowEngine on NATS', () => {
  test('a full connection holds its source back, with the in-process bound (threshold + one batch)', async () => {
    const engine = engineFor(genToLog('bp', { batchSize: 10 }, 100));
    await backend.ready();
    await engine.start({ skip: new Set(['log']) });
    await until(() => engine.status().connections.c1!.backPressured, 'backpressure');
    await new Promise((r) => setTimeout(r, 300));
    const status = engine.status();
    expect(status.connections.c1!.count).toBeGreaterThanOrEqual(100);
    expect(status.connections.c1!.count).toBeLessThanOrEqual(110);
    expect(status.processors.gen!.out).toBe(status.connections.c1!.count);
    await engine.startProcessor('log');
    await until(() => engine.status().processors.log!.in > 200, 'the sink to drain and the source to resume');
    await engine.stop();
  });

  test('status shows the JetStream depth and connection; emptying a queue drops what waits in the stream', async () => {
    const engine = engineFor(genToLog('empty', { batchSize: 100, count: 500 }));
    await backend.ready();
    await engine.start({ skip: new Set(['log']) });
    await until(() => engine.status().processors.gen!.out === 500, 'the generator');
    await backend.refresh();
    const status = engine.status();
    expect(status.connections.c1).toMatchObject({
      count: 500,
      inFlight: 0,
      ackPending: 0,
      redelivered: 0,
      messages: 5,
    });
    expect(status.backend).toMatchObject({ kind: 'nats', connected: true, disconnects: 0 });
    await until(async () => (await engine.listQueue('c1', 1000)).length === 500, 'the queue view of the stream');

    expect(await engine.emptyQueue('c1')).toBe(500);
    await backend.refresh();
    expect(engine.status().connections.c1!.count).toBe(0);
    const drops = await backend.provenance!.query({ flowId: 'empty', type: 'DROP', limit: 1000 });
    expect(drops).toHaveLength(500);
    expect(drops[0]).toMatchObject({ componentId: 'c1', details: 'queue emptied by user' });
    await engine.stop();
  });

  test('a prioritizer changed twice in a row loses and duplicates nothing, and the replaced queues hand back what they held', async () => {
    const flow = (prioritizer: string) => {
      const f = genToLog('prio', { batchSize: 100, count: 1000, content: 'p' });
      (f.connections[0] as Record<string, unknown>).prioritizer = prioritizer;
      return f;
    };
    const first = engineFor(flow('fifo'));
    await backend.ready();
    await first.start({ skip: new Set(['log']) });
    await until(() => first.status().processors.gen!.out === 1000, 'the generator');
    await first.startProcessor('log'); // pulls some into this process, then stops with them held
    await first.stop();
    let old = first;
    for (const prioritizer of ['newest-first', 'oldest-first']) {
      const { factory, moves } = handoverQueues(old, backend.queueFactory);
      const next = engineFor(flow(prioritizer), factory);
      await completeMoves(next, moves);
      await closeDroppedQueues(old, next);
      expect(next.connection('c1').queue).not.toBe(old.connection('c1').queue);
      old = next;
    }
    const logged = first.status().processors.log!.in;
    await old.start({ skip: new Set(['gen']) });
    await until(() => logged + old.status().processors.log!.in >= 1000, 'every FlowFile at the sink');
    await new Promise((r) => setTimeout(r, 500));
    await backend.refresh();
    expect(logged + old.status().processors.log!.in).toBe(1000);
    expect(old.status().connections.c1!.count).toBe(0);
    await old.stop();
  });
});
