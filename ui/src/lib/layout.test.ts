import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import type { Flow } from '../../../flows/flow-schema';
import { CARD_HEIGHT, estimateCard } from '../canvas/estimated-node';
import { countCrossings, layoutGraph } from './layout';

const EXAMPLES = path.resolve(import.meta.dirname, '../../../flows/examples');

const box = (id: string) => ({ id, width: 200, height: 100 });

test('a chain is laid out top to bottom, and siblings side by side without overlap', () => {
  const pos = layoutGraph(
    [box('gen'), box('route'), box('a'), box('b')],
    [
      { source: 'gen', target: 'route' },
      { source: 'route', target: 'a' },
      { source: 'route', target: 'b' },
    ],
  );
  expect(pos.route!.y).toBeGreaterThan(pos.gen!.y + 100);
  expect(pos.a!.y).toBe(pos.b!.y);
  expect(Math.abs(pos.a!.x - pos.b!.x)).toBeGreaterThanOrEqual(200);
});

test('left to right, cycles and self-loops do not break it', () => {
  const pos = layoutGraph(
    [box('x'), box('y')],
    [
      { source: 'x', target: 'y' },
      { source: 'y', target: 'x' },
      { source: 'x', target: 'x' },
    ],
    { direction: 'LR' },
  );
  expect(pos.x!.x).not.toBe(pos.y!.x);
  expect(Number.isInteger(pos.x!.x)).toBe(true);
});

// Connections as the canvas draws them: from a relationship's handle (relationships left to right as on the
// card) to the target's top centre. Sizes and handle places as the canvas estimates them.
const RELATIONSHIPS: Record<string, string[]> = {
  GenerateFlowFile: ['success'],
  GetFile: ['success'],
  ListenHTTP: ['success'],
  ConsumeAMQP: ['success'],
  UpdateAttribute: ['success', 'failure'],
  LogAttribute: ['success'],
  ConvertRecord: ['success', 'failure'],
  SplitText: ['splits', 'original', 'failure'],
  SplitJSON: ['split', 'original', 'failure'],
  ValidateJSON: ['valid', 'invalid'],
  TransformJSON: ['success', 'failure'],
  MergeContent: ['merged', 'original', 'failure'],
  PutFile: ['success', 'failure'],
  WindowAggregate: ['success', 'late', 'failure'],
  PublishMQTT: ['success', 'failure'],
};

function fixture(name: string) {
  const flow = JSON.parse(readFileSync(path.join(EXAMPLES, `${name}.json`), 'utf8')) as Flow;
  const cards = new Map(
    flow.processors.map((p) => {
      const routes = Object.keys((p.config as { routes?: object } | undefined)?.routes ?? {});
      const rels = p.type === 'RouteOnAttribute' ? [...routes, 'unmatched', 'failure'] : RELATIONSHIPS[p.type]!;
      return [p.id, estimateCard(rels)];
    }),
  );
  const nodes = flow.processors.map((p) => ({ id: p.id, width: cards.get(p.id)!.width, height: CARD_HEIGHT }));
  const edges = flow.connections.map((c) => {
    const source = c.source as string;
    const handle = cards.get(source)!.handles.find((h) => h.id === c.relationships[0])!;
    return { source, target: c.target as string, sourcePort: handle.x + handle.width! / 2 };
  });
  return { nodes, edges };
}

const CANVAS = { nodeGap: 70, rankGap: 110 };
const withoutPorts = (edges: { source: string; target: string }[]) =>
  edges.map(({ source, target }) => ({ source, target }));

test("a router's targets are placed in the order of its handles, so its connections do not cross", () => {
  const { nodes, edges } = fixture('route-orders');
  // Dagre alone puts "large_eu"'s target right of "unmatched"'s although its handle is left of it.
  expect(countCrossings(nodes, edges, layoutGraph(nodes, withoutPorts(edges), CANVAS))).toBeGreaterThan(0);
  expect(countCrossings(nodes, edges, layoutGraph(nodes, edges, CANVAS))).toBe(0);
});

test('an error sink fed from every step is placed where none of its connections cross the main line', () => {
  const { nodes, edges } = fixture('http-ingest-to-files');
  expect(countCrossings(nodes, edges, layoutGraph(nodes, withoutPorts(edges), CANVAS))).toBeGreaterThan(0);
  expect(countCrossings(nodes, edges, layoutGraph(nodes, edges, CANVAS))).toBe(0);
});

test('examples with a crossing-free layout get one; none crosses more than dagre alone; nothing overlaps', () => {
  const crossingFree = ['route-orders', 'http-ingest-to-files', 'rabbitmq-window-mqtt', 'fan-out', 'files-in-out'];
  for (const name of [...crossingFree, 'hello-log', 'csv-orders-to-json-lines']) {
    const { nodes, edges } = fixture(name);
    const at = layoutGraph(nodes, edges, CANVAS);
    const crossings = countCrossings(nodes, edges, at);
    if (crossingFree.includes(name)) expect(crossings, name).toBe(0);
    expect(crossings, name).toBeLessThanOrEqual(
      countCrossings(nodes, edges, layoutGraph(nodes, withoutPorts(edges), CANVAS)),
    );
    for (const a of nodes)
      for (const b of nodes) {
        if (a === b) continue;
        const apart =
          at[a.id]!.x + a.width <= at[b.id]!.x ||
          at[b.id]!.x + b.width <= at[a.id]!.x ||
          at[a.id]!.y + a.height <= at[b.id]!.y ||
          at[b.id]!.y + b.height <= at[a.id]!.y;
        expect(apart, `${name}: ${a.id} and ${b.id} overlap`).toBe(true);
      }
  }
});

test('crossings count segments that cross, not ones that meet at an end', () => {
  const nodes = [box('a'), box('b'), box('c'), box('d')];
  const at = { a: { x: 0, y: 0 }, b: { x: 300, y: 0 }, c: { x: 0, y: 300 }, d: { x: 300, y: 300 } };
  // a → d and b → c cross; a → c and b → c meet at c's top.
  expect(
    countCrossings(
      nodes,
      [
        { source: 'a', target: 'd' },
        { source: 'b', target: 'c' },
      ],
      at,
    ),
  ).toBe(1);
  expect(
    countCrossings(
      nodes,
      [
        { source: 'a', target: 'c' },
        { source: 'b', target: 'c' },
      ],
      at,
    ),
  ).toBe(0);
});
