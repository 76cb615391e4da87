/**
 * FlowEngine.apply on the NATS back end (what `sluice serve --nats` and the cluster workers run): a config edit
 * while FlowFiles flow restarts only the edited processor and loses or repeats none; a changed prioritizer
 * replaces the queue by closing the old one (its FlowFiles stay on the stream) instead of moving them.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { FlowEngine } from '../../server/engine/flow-engine';
import { NatsBackend } from '../../server/nats/nats-backend';
import { validateFlow } from '../../server/validation/flow-validator';
import { type NatsServerHandle, startNats } from '../helpers/nats-server';
import { waitFor } from '../helpers/wait-for';

let nats: NatsServerHandle;
let backend: NatsBackend;
const registry = createRegistry();

beforeAll(async () => {
  nats = await startNats();
  backend = await NatsBackend.open({ url: nats.url, ackWaitMs: 5000 });
});

afterAll(async () => {
  await backend?.close();
  await nats?.stop();
});

function resolve(flow: object) {
  const check = validateFlow(flow, registry);
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  return check.resolved;
}

function engineFor(flow: object): FlowEngine {
  return new FlowEngine(resolve(flow), registry, {
    queueFactory: backend.queueFactory,
    commitWriter: backend.commitWriter,
    provenance: backend.provenance,
    backendStatus: () => backend.status(),
  });
}

/** gen → tag → log. */
function chain(id: string, count: number, tag: string, prioritizer = 'fifo'): any {
  return {
    schemaVersion: 1,
    id,
    name: id,
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', config: { content: 'x', batchSize: 50, count } },
      {
        id: 'tag',
        type: 'UpdateAttribute',
        config: { attributes: { tag: JSON.stringify(tag) } },
        autoTerminate: ['failure'],
      },
      { id: 'log', type: 'LogAttribute', config: { logLevel: 'none' }, autoTerminate: ['success'] },
    ],
    connections: [
      { id: 'c1', source: 'gen', relationships: ['success'], target: 'tag', backPressure: { objects: 500 } },
      {
        id: 'c2',
        source: 'tag',
        relationships: ['success'],
        target: 'log',
        backPressure: { objects: 500 },
        prioritizer,
      },
    ],
  };
}

async function tagsAtTheSink(flowId: string): Promise<{ index: string; tag: string }[]> {
  const events = await backend.provenance!.query({ flowId, type: 'DROP', limit: 100_000 });
  return events
    .filter((e) => e.componentId === 'log')
    .map((e) => ({ index: e.attributes['generate.index']!, tag: e.attributes.tag! }));
}

describe('FlowEngine.apply on NATS', () => {
  test('a config edit while 5,000 FlowFiles flow restarts only that processor; each arrives once', async () => {
    const engine = engineFor(chain('nats-edit', 5000, 'v1'));
    await backend.ready();
    await engine.start();
    await waitFor(() => engine.status().processors.log!.in >= 500, 'the first 500 at the sink', 15_000);
    const gen = engine.processor('gen');
    const log = engine.processor('log');
    const { diff } = await engine.apply(resolve(chain('nats-edit', 5000, 'v2')));
    expect(diff.processors.changed).toEqual(['tag']);
    expect(engine.processor('gen')).toBe(gen);
    expect(engine.processor('log')).toBe(log);
    await waitFor(() => engine.status().processors.log!.in >= 5000, 'all 5000 at the sink', 30_000);
    await new Promise((r) => setTimeout(r, 300));
    await backend.refresh();
    const status = engine.status();
    expect(status.processors.gen!.out).toBe(5000);
    expect(status.processors.log!.in).toBe(5000);
    expect(status.connections.c1!.count + status.connections.c2!.count).toBe(0);
    await engine.stop();
    const arrived = await tagsAtTheSink('nats-edit');
    expect(arrived).toHaveLength(5000);
    expect(new Set(arrived.map((a) => a.index)).size).toBe(5000);
    expect(new Set(arrived.map((a) => a.tag))).toEqual(new Set(['v1', 'v2']));
  });

  test('a changed prioritizer gets a new queue on the same stream: nothing moved, lost or repeated', async () => {
    const engine = engineFor(chain('nats-prio', 400, 'p'));
    await backend.ready();
    await engine.start({ skip: new Set(['log']) });
    await waitFor(() => engine.status().processors.tag!.out === 400, 'all 400 through tag', 15_000);
    await engine.startProcessor('log'); // pulls some into this process: they are held when it stops
    await engine.stopProcessor('log');
    for (const prioritizer of ['newest-first', 'oldest-first']) {
      const queue = engine.connection('c2').queue;
      const { diff } = await engine.apply(resolve(chain('nats-prio', 400, 'p', prioritizer)));
      expect(diff.connections.changed).toEqual(['c2']);
      expect(engine.connection('c2').queue).not.toBe(queue);
      expect(engine.processor('log').state).toBe('stopped'); // stopped by hand before: stays stopped
    }
    await engine.startProcessor('log');
    await waitFor(() => engine.status().processors.log!.in >= 400, 'every FlowFile at the sink', 20_000);
    await new Promise((r) => setTimeout(r, 500));
    await backend.refresh();
    expect(engine.status().processors.log!.in).toBe(400);
    expect(engine.status().connections.c2!.count).toBe(0);
    await engine.stop();
  });
});
