import { afterEach, describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { waitFor } from '../../test/helpers/wait-for';
import { MemoryProvenanceStore } from '../storage/memory-provenance-store';
import { MemoryQueue } from '../storage/memory-queue';
import { FailFirst, SlowSink } from '../testing/test-processors';
import { validateFlow } from '../validation/flow-validator';
import { FlowEngine } from './flow-engine';

const registry = createRegistry([SlowSink, FailFirst]);
const engines: FlowEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop()));
});

function engineFor(flow: unknown, options: ConstructorParameters<typeof FlowEngine>[2] = {}) {
  const check = validateFlow(flow, registry);
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  const engine = new FlowEngine(check.resolved, registry, options);
  engines.push(engine);
  return engine;
}

const flow = (processors: unknown[], connections: unknown[]) => ({
  schemaVersion: 1,
  id: 'test',
  name: 'Test',
  processors,
  connections,
});

describe('backpressure', () => {
  test('a fast source into a slow sink never overfills a threshold of 100, and every FlowFile arrives', async () => {
    const batch = 10;
    let maxDepth = 0;
    const engine = engineFor(
      flow(
        [
          { id: 'gen', type: 'GenerateFlowFile', config: { batchSize: batch, count: 1500, content: 'x' } },
          { id: 'sink', type: 'TestSlowSink', config: { batchSize: 7, delayMs: 1 }, autoTerminate: ['success'] },
        ],
        [{ id: 'c', source: 'gen', relationships: ['success'], target: 'sink', backPressure: { objects: 100 } }],
      ),
      {
        queueFactory: (_flowId, c) => {
          const q = new MemoryQueue(c.id);
          const offer = q.offer.bind(q);
          q.offer = (ffs) => {
            offer(ffs);
            maxDepth = Math.max(maxDepth, q.depth().count);
          };
          return q;
        },
      },
    );
    let sawBackPressure = false;
    const watch = setInterval(() => {
      if (engine.status().connections.c!.backPressured) sawBackPressure = true;
    }, 5);
    await engine.start();
    expect(await engine.waitUntilIdle(25_000)).toBe(true);
    clearInterval(watch);
    const status = engine.status();
    expect(status.processors.gen!.out).toBe(1500);
    expect(status.processors.sink!.in).toBe(1500);
    expect(maxDepth).toBeGreaterThanOrEqual(100);
    expect(maxDepth).toBeLessThanOrEqual(100 + batch);
    expect(sawBackPressure).toBe(true);
    const received = new Set(
      (engine.processor('sink') as unknown as { context: { state: { received: string[] } } }).context.state.received,
    );
    expect(received.size).toBe(1500);
  });

  test('the byte threshold holds a source back too', async () => {
    let maxBytes = 0;
    const engine = engineFor(
      flow(
        [
          { id: 'gen', type: 'GenerateFlowFile', config: { batchSize: 4, count: 200, randomSize: 1024 } },
          { id: 'sink', type: 'TestSlowSink', config: { batchSize: 3, delayMs: 1 }, autoTerminate: ['success'] },
        ],
        [
          {
            id: 'c',
            source: 'gen',
            relationships: ['success'],
            target: 'sink',
            backPressure: { objects: 10000, bytes: '10 KB' },
          },
        ],
      ),
      {
        queueFactory: (_f, c) => {
          const q = new MemoryQueue(c.id);
          const offer = q.offer.bind(q);
          q.offer = (ffs) => {
            offer(ffs);
            maxBytes = Math.max(maxBytes, q.depth().bytes);
          };
          return q;
        },
      },
    );
    await engine.start();
    expect(await engine.waitUntilIdle(25_000)).toBe(true);
    expect(engine.status().processors.sink!.in).toBe(200);
    expect(maxBytes).toBeLessThanOrEqual(10 * 1024 + 4 * 1024);
  });
});

describe('failures', () => {
  test('a throwing processor rolls back: inputs are penalized, a bulletin names the error, nothing is lost', async () => {
    const provenance = new MemoryProvenanceStore();
    const engine = engineFor(
      flow(
        [
          { id: 'gen', type: 'GenerateFlowFile', config: { batchSize: 5, count: 5 } },
          {
            id: 'flaky',
            type: 'TestFailFirst',
            config: { failures: 2 },
            schedule: { penalty: '100ms', yield: '10ms' },
          },
          { id: 'sink', type: 'TestSlowSink', autoTerminate: ['success'] },
        ],
        [
          { id: 'a', source: 'gen', relationships: ['success'], target: 'flaky' },
          { id: 'b', source: 'flaky', relationships: ['success'], target: 'sink' },
        ],
      ),
      { provenance },
    );
    await engine.start();
    expect(await engine.waitUntilIdle(10_000)).toBe(true);
    const status = engine.status();
    expect(status.processors.flaky!.errors).toBe(2);
    expect(status.processors.flaky!.bulletins[0]!.message).toContain('deliberate failure 1');
    expect(status.processors.flaky!.bulletins[0]!.message).toContain('penalized for 100ms');
    expect(status.processors.flaky!.bulletins[0]!.flowFileIds).toHaveLength(5);
    expect(status.processors.sink!.in).toBe(5);
    // The attempt that committed was the third; rolled-back attempts left no provenance.
    const modified = provenance.query({ componentId: 'flaky', type: 'ATTRIBUTES_MODIFIED' });
    expect(modified).toHaveLength(5);
    expect(new Set(modified.map((e) => e.attributes.attempt))).toEqual(new Set(['3']));
  });
});

describe('expiration', () => {
  test('FlowFiles older than the connection’s expiration are dropped with EXPIRE events', async () => {
    const provenance = new MemoryProvenanceStore();
    const engine = engineFor(
      flow(
        [
          { id: 'gen', type: 'GenerateFlowFile', config: { batchSize: 10, count: 10 } },
          { id: 'sink', type: 'LogAttribute', disabled: true, autoTerminate: ['success'] },
        ],
        [{ id: 'c', source: 'gen', relationships: ['success'], target: 'sink', expiration: '50ms' }],
      ),
      { provenance },
    );
    await engine.start();
    expect(await engine.waitUntilIdle(5_000)).toBe(true);
    const expired = provenance.query({ type: 'EXPIRE' });
    expect(expired).toHaveLength(10);
    expect(expired[0]).toMatchObject({ componentId: 'c', componentType: 'Connection' });
    expect(engine.status().connections.c!.count).toBe(0);
  });
});

describe('provenance lineage', () => {
  test('a routed FlowFile cloned to two connections has CREATE, ROUTE, CLONE and both DROPs in its lineage', async () => {
    const provenance = new MemoryProvenanceStore();
    const engine = engineFor(
      flow(
        [
          { id: 'gen', type: 'GenerateFlowFile', config: { count: 1, attributes: { size: '42' } } },
          {
            id: 'route',
            type: 'RouteOnAttribute',
            config: { routes: { big: '$number(attributes.size) > 10' } },
            autoTerminate: ['unmatched', 'failure'],
          },
          { id: 'left', type: 'LogAttribute', config: { logLevel: 'none' }, autoTerminate: ['success'] },
          { id: 'right', type: 'LogAttribute', config: { logLevel: 'none' }, autoTerminate: ['success'] },
        ],
        [
          { id: 'g', source: 'gen', relationships: ['success'], target: 'route' },
          { id: 'l', source: 'route', relationships: ['big'], target: 'left' },
          { id: 'r', source: 'route', relationships: ['big'], target: 'right' },
        ],
      ),
      { provenance },
    );
    await engine.start();
    expect(await engine.waitUntilIdle(5_000)).toBe(true);
    const [created] = provenance.query({ type: 'CREATE' });
    const lineage = provenance.lineage(created!.flowFileId);
    expect(lineage.flowFileIds).toHaveLength(2);
    const types = lineage.events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['CREATE', 'ROUTE']);
    expect(types.filter((t) => t === 'DROP')).toHaveLength(2);
    const clone = lineage.events.find((e) => e.type === 'CLONE')!;
    expect(clone.flowFileId).toBe(created!.flowFileId);
    expect(lineage.events.find((e) => e.type === 'ROUTE')).toMatchObject({ relationship: 'big', componentId: 'route' });
    const child = clone.childIds[0]!;
    expect(lineage.flowFileIds).toContain(child);
    // The clone's own DROP links back to the CLONE event in the drawable graph.
    const childDrop = lineage.events.find((e) => e.type === 'DROP' && e.flowFileId === child)!;
    expect(lineage.edges).toContainEqual(
      expect.objectContaining({ source: `e${clone.eventId}`, target: `e${childDrop.eventId}`, flowFileId: child }),
    );
    // The lineage of the clone reaches back to the original.
    expect(provenance.lineage(child).flowFileIds).toContain(created!.flowFileId);
  });
});

describe('status', () => {
  test('reports per-processor counters and per-connection depth with thresholds', async () => {
    const engine = engineFor(
      flow(
        [
          { id: 'gen', type: 'GenerateFlowFile', config: { batchSize: 30, count: 30, content: 'abc' } },
          { id: 'sink', type: 'LogAttribute', disabled: true, autoTerminate: ['success'] },
        ],
        [
          {
            id: 'c',
            source: 'gen',
            relationships: ['success'],
            target: 'sink',
            backPressure: { objects: 50, bytes: '1 MB' },
          },
        ],
      ),
    );
    await engine.start();
    await waitFor(
      () => engine.status().processors.gen!.out === 30 && engine.processor('gen').idle,
      'the source to finish',
    );
    expect(engine.isIdle()).toBe(false);
    const status = engine.status();
    expect(status.processors.gen).toMatchObject({ state: 'running', out: 30, bytesOut: 90 });
    expect(status.processors.sink!.state).toBe('disabled');
    expect(status.connections.c).toMatchObject({
      count: 30,
      bytes: 90,
      objectThreshold: 50,
      bytesThreshold: 1024 * 1024,
      backPressured: false,
    });
    expect(await engine.listQueue('c', 5)).toHaveLength(5);
    expect(await engine.emptyQueue('c')).toBe(30);
    expect(engine.status().connections.c!.count).toBe(0);
  });
});

describe('bulletins', () => {
  test('what a processor logs at warn becomes a bulletin naming the FlowFile (PutFile into a file)', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/sluice-bulletin-`);
    await writeFile(`${dir}/not-a-dir`, 'x');
    const engine = engineFor(
      flow(
        [
          { id: 'gen', type: 'GenerateFlowFile', config: { count: 1 } },
          {
            id: 'put',
            type: 'PutFile',
            config: { directory: `${dir}/not-a-dir` },
            autoTerminate: ['success', 'failure'],
          },
        ],
        [{ id: 'c', source: 'gen', relationships: ['success'], target: 'put' }],
      ),
    );
    await engine.start();
    expect(await engine.waitUntilIdle(5_000)).toBe(true);
    const put = engine.status().processors.put!;
    expect(put.errors).toBe(0);
    expect(put.bulletins).toHaveLength(1);
    expect(put.bulletins[0]).toMatchObject({ level: 'warn', flowFileIds: [expect.any(String)] });
    expect(put.bulletins[0]!.message).toContain('routed to failure');
  });
});

describe('drainAndStop', () => {
  test('the window a stop emits reaches the sink, though a queue to a disabled processor never drains', async () => {
    const engine = engineFor(
      flow(
        [
          { id: 'gen', type: 'GenerateFlowFile', config: { content: '{"v":2}', count: 3, batchSize: 3 } },
          {
            id: 'window',
            type: 'WindowAggregate',
            config: {
              size: '1h',
              timeSource: 'processing',
              aggregations: { total: { op: 'sum', value: 'content.v' } },
            },
            autoTerminate: ['late', 'failure'],
          },
          { id: 'sink', type: 'LogAttribute', config: { logLevel: 'none' }, autoTerminate: ['success'] },
          {
            id: 'held',
            type: 'LogAttribute',
            config: { logLevel: 'none' },
            autoTerminate: ['success'],
            disabled: true,
          },
        ],
        [
          { id: 'c1', source: 'gen', relationships: ['success'], target: 'window' },
          { id: 'c2', source: 'window', relationships: ['success'], target: 'sink' },
          { id: 'c3', source: 'gen', relationships: ['success'], target: 'held' },
        ],
      ),
    );
    await engine.start();
    await waitFor(() => engine.status().processors.window!.in === 3, 'the window to take all 3');
    const started = Date.now();
    expect(await engine.drainAndStop(5_000)).toBe(true);
    // c3 keeps its 3 (its target is disabled): the drain did not wait for it.
    expect(Date.now() - started).toBeLessThan(2_500);
    const status = engine.status();
    expect(status.processors.window!.out).toBe(1);
    expect(status.processors.sink!.in).toBe(1);
    expect(status.connections.c2!.count).toBe(0);
    expect(status.connections.c3!.count).toBe(3);
  });
});
