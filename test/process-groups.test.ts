/** Ports at run time: the queues on both sides of a port are real queues, and back pressure crosses the border. */
import { afterEach, expect, test } from 'vitest';
import { createRegistry } from '../processors/registry';
import { FlowEngine } from '../server/engine/flow-engine';
import { validateFlow } from '../server/validation/flow-validator';

const engines: FlowEngine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop();
});

/** gen → [group g: in → tag → out] → sink, with small queues everywhere. */
function flow(count: number) {
  return {
    schemaVersion: 2,
    id: 'bp',
    name: 'Back pressure through ports',
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', config: { content: 'x', count, batchSize: 1 } },
      { id: 'sink', type: 'LogAttribute', config: { logLevel: 'none', batchSize: 1 }, autoTerminate: ['success'] },
    ],
    connections: [
      {
        id: 'to-group',
        source: 'gen',
        relationships: ['success'],
        target: { group: 'g', port: 'in' },
        backPressure: { objects: 3 },
      },
      {
        id: 'out-to-sink',
        source: { group: 'g', port: 'out' },
        relationships: ['success'],
        target: 'sink',
        backPressure: { objects: 4 },
      },
    ],
    groups: [
      {
        id: 'g',
        inputPorts: [{ id: 'in' }],
        outputPorts: [{ id: 'out' }],
        processors: [
          {
            id: 'tag',
            type: 'UpdateAttribute',
            config: { attributes: { tagged: '"yes"' }, batchSize: 1 },
            autoTerminate: ['failure'],
          },
        ],
        connections: [
          { id: 'in-to-tag', source: 'in', relationships: ['success'], target: 'tag', backPressure: { objects: 3 } },
          { id: 'tag-to-out', source: 'tag', relationships: ['success'], target: 'out', backPressure: { objects: 2 } },
        ],
      },
    ],
  };
}

async function start(count: number, skip: string[] = []) {
  const registry = createRegistry();
  const check = validateFlow(flow(count), registry);
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  const engine = new FlowEngine(check.resolved, registry);
  engines.push(engine);
  expect(await engine.start({ skip: new Set(skip) })).toEqual([]);
  return engine;
}

async function until(condition: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a full queue behind an output port stops the processor inside the group, and it resumes once it drains', async () => {
  const engine = await start(30, ['sink']);
  const tag = engine.processor('g__tag');
  const out = engine.processor('g__out');
  const gen = engine.processor('gen');

  // The sink is stopped: the queue behind the output port fills, the port stops, then the queue in front of it,
  // then tag inside the group, and so on back to the source.
  const input = engine.processor('g__in');
  await until(() => out.isBackPressured() && tag.isBackPressured() && input.isBackPressured() && gen.isBackPressured());
  const status = engine.status();
  expect(status.connections['out-to-sink']).toMatchObject({ source: 'g__out', target: 'sink', backPressured: true });
  expect(status.connections['g__tag-to-out']).toMatchObject({
    source: 'g__tag',
    target: 'g__out',
    backPressured: true,
  });
  expect(status.connections['g__tag-to-out']!.count).toBeGreaterThanOrEqual(2);

  // Held: nothing moves inside the group while the queue behind its output port stays full.
  const held = { tag: tag.stats.counters.in, out: out.stats.counters.in, gen: gen.stats.counters.out };
  await sleep(400);
  expect({ tag: tag.stats.counters.in, out: out.stats.counters.in, gen: gen.stats.counters.out }).toEqual(held);
  expect(tag.state).toBe('running');
  expect(held.gen).toBeLessThan(30);

  // The sink starts: the queues drain, the group resumes, and every FlowFile arrives once.
  await engine.startProcessor('sink');
  expect(await engine.waitUntilIdle(10_000)).toBe(true);
  const after = engine.status();
  expect(after.processors.gen!.out).toBe(30);
  expect(after.processors.g__tag!.in).toBe(30);
  expect(after.processors.g__in!.in).toBe(30);
  expect(after.processors.g__out!.in).toBe(30);
  expect(after.processors.sink!.in).toBe(30);
  expect(Object.values(after.connections).every((c) => c.count === 0)).toBe(true);
});

test('a full queue in front of an input port holds the processor outside the group', async () => {
  const engine = await start(0, ['g__in']);
  const gen = engine.processor('gen');
  await until(() => gen.isBackPressured());
  const made = gen.stats.counters.out;
  expect(made).toBe(3); // batchSize 1: the source stops exactly at the threshold
  await sleep(300);
  expect(gen.stats.counters.out).toBe(made);
  expect(engine.status().connections['to-group']).toMatchObject({ count: 3, backPressured: true, target: 'g__in' });
});
