import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Flow } from './api/types';
import {
  canvasToFlow,
  flowToCanvas,
  groupInHandle,
  groupOutHandle,
  hasPositions,
  INPUT_HANDLE,
  kebab,
  levelAt,
  uniqueId,
} from './flow-mapping';

const examplesDir = path.resolve(import.meta.dirname, '../../flows/examples');
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(path.join(examplesDir, f), 'utf8')) as Flow] as const);

describe('flow JSON ⇄ canvas', () => {
  test.each(examples)('%s round-trips to an equal flow', (_file, flow) => {
    const { meta, nodes, edges } = flowToCanvas(flow);
    expect(canvasToFlow(meta, nodes, edges)).toEqual(flow);
  });

  test('a processor becomes a node with its spec and position; a connection an edge from its first relationship', () => {
    const flow = examples.find(([f]) => f === 'route-orders.json')![1];
    const { nodes, edges } = flowToCanvas(flow);
    expect(nodes).toHaveLength(flow.processors.length);
    const route = nodes.find((n) => n.id === 'route')!;
    expect(route).toMatchObject({ type: 'processor', position: { x: 0, y: 360 } });
    expect(route.data.spec).toMatchObject({ type: 'RouteOnAttribute', name: 'Large EU orders?' });
    expect(route.data.spec).not.toHaveProperty('position');
    const large = edges.find((e) => e.id === 'route-to-large')!;
    expect(large).toMatchObject({
      source: 'route',
      target: 'log-large',
      sourceHandle: 'large_eu',
      targetHandle: INPUT_HANDLE,
      type: 'queue',
    });
  });

  test('a connection with several relationships and every optional field survives', () => {
    const flow: Flow = {
      schemaVersion: 1,
      id: 'multi',
      name: 'Multi',
      description: 'all the optional fields',
      processors: [
        {
          id: 'a',
          type: 'RouteOnAttribute',
          position: { x: 1.5, y: -2 },
          config: { routes: { x: 'true' } },
          schedule: { period: '1s', concurrency: 2, penalty: '5s', yield: '2s' },
          autoTerminate: ['failure'],
          disabled: true,
        },
        { id: 'b', type: 'LogAttribute', position: { x: 0, y: 200 } },
      ],
      connections: [
        {
          id: 'a-b',
          name: 'both',
          source: 'a',
          relationships: ['x', 'unmatched'],
          target: 'b',
          backPressure: { objects: 50, bytes: 1024 },
          expiration: '10s',
          prioritizer: 'newest-first',
        },
      ],
    };
    const { meta, nodes, edges } = flowToCanvas(flow);
    expect(edges[0]!.sourceHandle).toBe('x');
    expect(canvasToFlow(meta, nodes, edges)).toEqual(flow);
  });

  test('processors without a position are placed apart and get one on the way back', () => {
    const flow: Flow = {
      schemaVersion: 1,
      id: 'p',
      name: 'P',
      processors: [
        { id: 'a', type: 'GenerateFlowFile' },
        { id: 'b', type: 'LogAttribute' },
      ],
      connections: [],
    };
    expect(hasPositions(flow)).toBe(false);
    const { meta, nodes, edges } = flowToCanvas(flow);
    expect(nodes[0]!.position).not.toEqual(nodes[1]!.position);
    const back = canvasToFlow(meta, nodes, edges);
    expect(hasPositions(back)).toBe(true);
    expect(back.processors.map((p) => p.id)).toEqual(['a', 'b']);
  });
});

describe('ids', () => {
  test('uniqueId keeps to the id alphabet and avoids taken ids', () => {
    expect(uniqueId('generate-flow-file', new Set())).toBe('generate-flow-file');
    expect(uniqueId('log', new Set(['log', 'log-2']))).toBe('log-3');
    expect(uniqueId('  my proc!', new Set())).toBe('my-proc-');
    expect(uniqueId('', new Set())).toBe('item');
  });

  test('kebab turns a processor type into an id base', () => {
    expect(kebab('GenerateFlowFile')).toBe('generate-flow-file');
    expect(kebab('PutHTTPRequest')).toBe('put-http-request');
  });
});

describe('levels of a flow with groups', () => {
  const nested = examples.find(([f]) => f === 'nested-groups.json')![1];

  test.each([[[]], [['intake']], [['intake', 'checks']], [['intake', 'checks', 'pricing']]])(
    'the level at %j round-trips to the same flow',
    (path) => {
      const { meta, nodes, edges, others } = flowToCanvas(nested, path);
      expect(meta.path ?? []).toEqual(path);
      expect(canvasToFlow(meta, nodes, edges, others)).toEqual(nested);
      // Without the level nodes the level keeps what it had.
      expect(canvasToFlow(meta, nodes, edges)).toEqual(nested);
    },
  );

  test('the top level draws the group card, the label and the connections to its ports', () => {
    const { nodes, edges, others } = flowToCanvas(nested);
    expect(nodes.map((n) => n.id)).toEqual(['generate', 'log-accepted', 'log-rejected']);
    expect(others.map((n) => [n.type, n.id])).toEqual([
      ['processGroup', 'intake'],
      ['label', 'about'],
    ]);
    expect(others.find((n) => n.id === 'about')!.zIndex).toBeLessThan(0);
    expect(edges.find((e) => e.id === 'generate-to-intake')).toMatchObject({
      source: 'generate',
      sourceHandle: 'success',
      target: 'intake',
      targetHandle: groupInHandle('orders'),
    });
    expect(edges.find((e) => e.id === 'accepted-to-log')).toMatchObject({
      source: 'intake',
      sourceHandle: groupOutHandle('accepted'),
      target: 'log-accepted',
      targetHandle: INPUT_HANDLE,
    });
  });

  test('inside a group its ports are nodes and a funnel passes through one handle', () => {
    const { nodes, edges, others } = flowToCanvas(nested, ['intake']);
    expect(nodes.map((n) => n.id)).toEqual(['tag']);
    expect(others.map((n) => [n.type, n.id])).toEqual([
      ['processGroup', 'checks'],
      ['funnel', 'rejects'],
      ['inputPort', 'orders'],
      ['outputPort', 'accepted'],
      ['outputPort', 'rejected'],
    ]);
    expect(edges.find((e) => e.id === 'orders-to-tag')).toMatchObject({ source: 'orders', sourceHandle: 'out' });
    expect(edges.find((e) => e.id === 'rejects-to-rejected')).toMatchObject({
      source: 'rejects',
      sourceHandle: 'out',
      target: 'rejected',
      targetHandle: INPUT_HANDLE,
    });
  });

  test('an edit at a nested level is written back into its place', () => {
    const { meta, nodes, edges, others } = flowToCanvas(nested, ['intake', 'checks']);
    const moved = nodes.map((n) => (n.id === 'validate' ? { ...n, position: { x: 42, y: 43 } } : n));
    const back = canvasToFlow(meta, moved, edges, others);
    expect(levelAt(back, ['intake', 'checks'])!.processors![0]!.position).toEqual({ x: 42, y: 43 });
    expect(back.processors).toEqual(nested.processors);
    expect(levelAt(back, ['intake'])!.processors).toEqual(levelAt(nested, ['intake'])!.processors);
  });

  test('a path that is not there falls back to the deepest level that is', () => {
    expect(flowToCanvas(nested, ['intake', 'nope']).meta.path).toEqual(['intake']);
    expect(flowToCanvas(nested, ['nope']).meta.path).toBeUndefined();
  });
});
