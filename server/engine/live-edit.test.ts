/**
 * FlowEngine.apply: a new definition applied to a running flow restarts only what changed (Node-RED's
 * Flow.start(diff)); queues of kept connections keep their FlowFiles, processors that did not change keep
 * running, rebuilt ones keep their counters and committed state.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { waitFor } from '../../test/helpers/wait-for';
import { applyFlow } from '../runtime/engine-swap';
import { ConflictError } from '../runtime/errors';
import { validateFlow } from '../validation/flow-validator';
import { defineProcessor } from './contract';
import { FlowEngine } from './flow-engine';

/** Setups per processor id: a processor started again shows here. */
const starts = new Map<string, number>();
const started = (ctx: { processorId: string }) => starts.set(ctx.processorId, (starts.get(ctx.processorId) ?? 0) + 1);

/** What each recording sink received, by processor id. */
const received = new Map<string, { id: string; index: string; tag: string }[]>();

const Tag = defineProcessor({
  type: 'TestTag',
  category: 'transform',
  description: 'Sets the attribute "tag" to its config.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: { tag: { type: 'string', default: '', description: 'The value.' } },
  },
  relationships: [{ name: 'success', description: 'Tagged.' }],
  setup: (_config, ctx) => {
    started(ctx);
  },
  async onTrigger(session, { config }) {
    for (const ff of await session.get(50)) session.transfer(session.putAttributes(ff, { tag: config.tag }), 'success');
  },
});

const Record = defineProcessor({
  type: 'TestRecord',
  category: 'sink',
  description: 'Records the id, generate.index and tag of every FlowFile, then drops it.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: { delayMs: { type: 'integer', minimum: 0, default: 0, description: 'Wait per session.' } },
  },
  relationships: [],
  setup: (_config, ctx) => {
    started(ctx);
  },
  async onTrigger(session, { config, processorId }) {
    const batch = await session.get(20);
    if (config.delayMs > 0) await new Promise((r) => setTimeout(r, config.delayMs));
    const list = received.get(processorId) ?? [];
    received.set(processorId, list);
    for (const ff of batch) {
      list.push({ id: ff.id, index: ff.attributes['generate.index'] ?? '', tag: ff.attributes.tag ?? '' });
      session.remove(ff);
    }
  },
});

const registry = createRegistry([Tag, Record]);
const engines: FlowEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop()));
  starts.clear();
  received.clear();
});

function resolve(flow: unknown) {
  const check = validateFlow(flow, registry);
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  return check.resolved;
}

function engineFor(flow: unknown) {
  const engine = new FlowEngine(resolve(flow), registry);
  engines.push(engine);
  return engine;
}

/** gen → tag → sink; `count` FlowFiles in batches of 50. */
function chain(options: { count: number; tag?: string; delayMs?: number; period?: string }): {
  processors: any[];
  connections: any[];
  [key: string]: unknown;
} {
  return {
    schemaVersion: 1,
    id: 'live',
    name: 'Live',
    processors: [
      {
        id: 'gen',
        type: 'GenerateFlowFile',
        config: { content: 'x', batchSize: 50, count: options.count },
        schedule: { period: options.period ?? '0s' },
      },
      { id: 'tag', type: 'TestTag', config: { tag: options.tag ?? 'v1' } },
      { id: 'sink', type: 'TestRecord', config: { delayMs: options.delayMs ?? 0 } },
    ],
    connections: [
      { id: 'c1', source: 'gen', relationships: ['success'], target: 'tag', backPressure: { objects: 500 } },
      { id: 'c2', source: 'tag', relationships: ['success'], target: 'sink', backPressure: { objects: 500 } },
    ],
  };
}

const sink = (id = 'sink') => received.get(id) ?? [];

describe('FlowEngine.apply', () => {
  test('a config edit of one processor while 10,000 FlowFiles flow: all arrive once, only it restarted', async () => {
    const engine = engineFor(chain({ count: 10_000, delayMs: 1 }));
    await engine.start();
    await waitFor(() => sink().length >= 2000, '2000 FlowFiles at the sink');
    const gen = engine.processor('gen');
    const tag = engine.processor('tag');
    const before = { gen: gen.stats.counters.out, tag: tag.stats.counters.in, sink: engine.processor('sink') };
    expect(before.gen).toBeLessThan(10_000); // still flowing

    const { diff } = await engine.apply(resolve(chain({ count: 10_000, delayMs: 1, tag: 'v2' })));
    expect(diff.processors.changed).toEqual(['tag']);
    expect(diff.processors.rewired).toEqual([]);
    // The edited processor is a new one, set up again, with the counters of the old; the others are the
    // same objects, never stopped, counting on.
    expect(engine.processor('tag')).not.toBe(tag);
    expect(engine.processor('tag').stats.counters.in).toBeGreaterThanOrEqual(before.tag);
    expect(engine.processor('gen')).toBe(gen);
    expect(engine.processor('sink')).toBe(before.sink);
    expect(engine.processor('tag').state).toBe('running');

    await waitFor(() => sink().length >= 10_000, 'every FlowFile at the sink', 30_000);
    expect(await engine.waitUntilIdle(5000)).toBe(true);
    const arrived = sink();
    expect(arrived).toHaveLength(10_000);
    expect(new Set(arrived.map((r) => r.id)).size).toBe(10_000);
    expect(new Set(arrived.map((r) => r.index))).toEqual(new Set(Array.from({ length: 10_000 }, (_, i) => String(i))));
    const tags = new Set(arrived.map((r) => r.tag));
    expect(tags).toEqual(new Set(['v1', 'v2'])); // the edit happened in the middle
    expect(arrived.findIndex((r) => r.tag === 'v2')).toBeGreaterThan(arrived.findLastIndex((r) => r.tag === 'v1'));
    expect(Object.fromEntries(starts)).toEqual({ tag: 2, sink: 1 });
    const status = engine.status();
    expect(status.processors.gen!.out).toBe(10_000);
    expect(status.processors.gen!.out).toBeGreaterThan(before.gen);
    expect(status.processors.tag!.in).toBe(10_000); // counted across the restart
    expect(status.processors.sink!.in).toBe(10_000);
  });

  test('a bounded source stays bounded: stop the sink, edit it, start it: 5 FlowFiles in all', async () => {
    const engine = engineFor(chain({ count: 5, period: '10ms' }));
    await engine.start();
    await waitFor(() => sink().length === 5, 'the first 5');
    const gen = engine.processor('gen');
    await engine.stopProcessor('sink');
    const { diff } = await engine.apply(resolve(chain({ count: 5, period: '10ms', delayMs: 3 })));
    expect(diff.processors.changed).toEqual(['sink']);
    expect(engine.processor('gen')).toBe(gen);
    // A processor stopped by hand stays stopped.
    expect(engine.processor('sink').state).toBe('stopped');
    await engine.startProcessor('sink');
    await new Promise((r) => setTimeout(r, 300));
    expect(sink()).toHaveLength(5);
    expect(engine.status().processors.gen!.out).toBe(5);
    expect(Object.fromEntries(starts)).toEqual({ tag: 1, sink: 2 });
  });

  test("a source's config edit goes on from its committed state (no index repeats)", async () => {
    const engine = engineFor(chain({ count: 400, period: '20ms' }));
    await engine.start();
    await waitFor(() => sink().length >= 100, 'some FlowFiles');
    const next = chain({ count: 400, period: '20ms' });
    next.processors[0]!.config = { content: 'y', batchSize: 30, count: 400 };
    const { diff } = await engine.apply(resolve(next));
    expect(diff.processors.changed).toEqual(['gen']);
    await waitFor(() => sink().length >= 400, 'all 400');
    await new Promise((r) => setTimeout(r, 100));
    expect(sink()).toHaveLength(400);
    expect(new Set(sink().map((r) => r.index)).size).toBe(400);
    expect(starts.get('tag')).toBe(1);
  });

  test('another type under the same id does not inherit the state', async () => {
    const engine = engineFor(chain({ count: 3, period: '10ms' }));
    await engine.start();
    await waitFor(() => sink().length === 3, 'the first 3');
    // "gen" becomes a TestTag fed by a new generator...
    const retyped = chain({ count: 3, period: '10ms' });
    retyped.processors[0] = { id: 'gen', type: 'TestTag' };
    retyped.processors.unshift({
      id: 'src',
      type: 'GenerateFlowFile',
      config: { count: 2 },
      schedule: { period: '10ms' },
    });
    retyped.connections.unshift({ id: 'c0', source: 'src', relationships: ['success'], target: 'gen' });
    await engine.apply(resolve(retyped));
    await waitFor(() => sink().length === 5, '2 more through the new path');
    expect(await engine.waitUntilIdle(5000)).toBe(true);
    // ...and a GenerateFlowFile again: a new one, from 0 (the same type all along would have gone on from 3).
    await engine.apply(resolve(chain({ count: 3, period: '10ms' })));
    await waitFor(() => sink().length === 8, '3 more from a new generator');
    expect(sink().map((r) => r.index)).toEqual(['0', '1', '2', '0', '1', '0', '1', '2']);
  });

  test('an added processor and connection start alone; the source they hang from goes on counting', async () => {
    const endless = () => {
      const f = chain({ count: 0, period: '5ms' });
      f.processors[0]!.config = { content: 'x', batchSize: 1, count: 0 };
      return f;
    };
    const engine = engineFor(endless());
    await engine.start();
    await waitFor(() => sink().length >= 20, 'some FlowFiles');
    const tag = engine.processor('tag');
    const sinkP = engine.processor('sink');
    const next = endless();
    next.processors.push({ id: 'tap', type: 'TestRecord', config: { delayMs: 0 } });
    next.connections.push({
      id: 'c3',
      source: 'gen',
      relationships: ['success'],
      target: 'tap',
      backPressure: { objects: 500 },
    });
    const { diff } = await engine.apply(resolve(next));
    expect(diff.processors).toMatchObject({
      added: ['tap'],
      changed: [],
      rewired: ['gen'],
      unchanged: ['tag', 'sink'],
    });
    expect(engine.processor('tap').state).toBe('running');
    expect(engine.processor('tag')).toBe(tag);
    expect(engine.processor('sink')).toBe(sinkP);
    await waitFor(() => sink('tap').length >= 20, 'FlowFiles at the new processor');
    await engine.stop();
    // Generate was rebound to the new connection and went on from its committed index: every index once.
    const indexes = sink().map((r) => Number(r.index));
    expect(indexes).toEqual(indexes.map((_, i) => i));
    expect(Number(sink('tap')[0]!.index)).toBeGreaterThan(0);
    expect(Object.fromEntries(starts)).toEqual({ tag: 1, sink: 1, tap: 1 });

    // A branch of its own (a new source and sink) touches nothing that runs.
    const more = structuredClone(next);
    more.processors.push({ id: 'gen2', type: 'GenerateFlowFile', config: { count: 3 } });
    more.processors.push({ id: 'sink2', type: 'TestRecord', config: { delayMs: 0 } });
    more.connections.push({
      id: 'c4',
      source: 'gen2',
      relationships: ['success'],
      target: 'sink2',
      backPressure: { objects: 500 },
    });
    await engine.start();
    const kept = [...engine.processors.values()];
    const { diff: d2 } = await engine.apply(resolve(more));
    expect(d2.processors).toMatchObject({ added: ['gen2', 'sink2'], changed: [], rewired: [] });
    for (const p of kept) expect(engine.processor(p.id)).toBe(p);
    await waitFor(() => sink('sink2').length === 3, 'the new branch');
  });

  test('a connection whose prioritizer changes keeps its FlowFiles (moved to the new queue) and its quarantine', async () => {
    // One at a time, 5 ms apart: each FlowFile enters c2 at its own time.
    const oneByOne = () => {
      const f = chain({ count: 30, period: '5ms' });
      f.processors[0].config.batchSize = 1;
      return f;
    };
    const engine = engineFor(oneByOne());
    await engine.start({ skip: new Set(['sink']) });
    await waitFor(() => engine.status().connections.c2!.count === 30, '30 queued for the stopped sink');
    const quarantine = engine.connection('c2').quarantine;
    const queue = engine.connection('c2').queue;
    const next = oneByOne();
    Object.assign(next.connections[1]!, { prioritizer: 'newest-first', backPressure: { objects: 7 } });
    const { diff } = await engine.apply(resolve(next));
    expect(diff.connections.changed).toEqual(['c2']);
    expect(diff.processors.rewired).toEqual(['tag', 'sink']);
    const c2 = engine.connection('c2');
    expect(c2.queue).not.toBe(queue);
    expect(c2.quarantine).toBe(quarantine);
    expect(engine.status().connections.c2).toMatchObject({ count: 30, objectThreshold: 7 });
    expect(engine.processor('sink').state).toBe('stopped'); // it was stopped: it stays so
    await engine.startProcessor('sink');
    await waitFor(() => sink().length === 30, 'the 30');
    expect(new Set(sink().map((r) => r.index)).size).toBe(30);
    expect(Number(sink()[0]!.index)).toBeGreaterThan(Number(sink()[29]!.index)); // newest first
  });

  test('removing a connection that holds FlowFiles is refused and changes nothing', async () => {
    const engine = engineFor(chain({ count: 10, period: '0s' }));
    await engine.start({ skip: new Set(['sink']) });
    await waitFor(() => engine.status().connections.c2!.count === 10, '10 queued');
    const before = { processors: [...engine.processors.values()], connections: [...engine.connections.values()] };
    const next = chain({ count: 10 });
    next.processors.pop();
    next.connections.pop();
    next.processors[1].autoTerminate = ['success'];
    const err = await applyFlow(engine, resolve(next)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).details).toEqual([
      {
        path: '/connections',
        message:
          'connection "c2" is removed but still holds 10 FlowFile(s); empty its queue first or keep the connection',
      },
    ]);
    expect([...engine.processors.values()].every((p, i) => p === before.processors[i])).toBe(true);
    expect([...engine.connections.values()].every((c, i) => c === before.connections[i])).toBe(true);
    expect(engine.flow.processors).toHaveLength(3);
    expect(engine.processor('tag').state).toBe('running');
    expect(engine.status().connections.c2!.count).toBe(10);
    expect(starts.get('tag')).toBe(1); // refused before anything stopped
  });

  test('a change refused once the processors stopped (beforeChange throws) starts them again, unchanged', async () => {
    const engine = engineFor(chain({ count: 0, period: '10ms' }));
    await engine.start();
    await waitFor(() => sink().length >= 3, 'some FlowFiles');
    const tag = engine.processor('tag');
    const err = await engine
      .apply(resolve(chain({ count: 0, period: '10ms', tag: 'v2' })), {
        beforeChange: () => {
          expect(tag.state).toBe('stopped');
          throw new Error('disk full');
        },
      })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe('disk full');
    expect(engine.processor('tag')).toBe(tag);
    expect(tag.state).toBe('running');
    expect(starts.get('tag')).toBe(2);
    const n = sink().length;
    await waitFor(() => sink().length > n + 3, 'the flow goes on');
    expect(sink().every((r) => r.tag === 'v1')).toBe(true);
  });

  test('a stopped flow takes the edit and starts nothing', async () => {
    const engine = engineFor(chain({ count: 5 }));
    const next = chain({ count: 5, tag: 'v2' });
    next.processors.push({ id: 'tap', type: 'TestRecord', config: { delayMs: 0 } });
    next.connections.push({ id: 'c3', source: 'tag', relationships: ['success'], target: 'tap' });
    await engine.apply(resolve(next));
    expect([...engine.processors.values()].map((p) => p.state)).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
    expect(starts.size).toBe(0);
    await engine.start();
    await waitFor(() => sink().length === 5 && sink('tap').length === 5, 'both sinks');
  });
});
