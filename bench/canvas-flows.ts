/**
 * Large flows for the canvas benchmark: N processors in units of ten, alternately a chain (a source, eight
 * UpdateAttribute steps, a sink) and a fan-out (a source, a RouteOnAttribute with seven routes plus unmatched,
 * eight sinks). Each unit is laid out top to bottom with the canvas's own layout and the units are packed in
 * rows, so the whole flow has the screen's proportions. Every flow is valid: it opens as a stored flow would.
 */
import type { ConnectionSpec, Flow, ProcessorSpec } from '../flows/flow-schema';
import { layoutGraph } from '../ui/src/lib/layout';

const CARD = { width: 270, height: 150 };
/** A router with eight relationship handles is wider than a plain card. */
const ROUTER_WIDTH = 560;
const ROUTES = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'];

interface Unit {
  processors: ProcessorSpec[];
  connections: ConnectionSpec[];
}

function chain(prefix: string, label: string): Unit {
  const ids = Array.from({ length: 10 }, (_, i) => `${prefix}-${i}`);
  const processors: ProcessorSpec[] = ids.map((id, i) => {
    if (i === 0) return { id, type: 'GenerateFlowFile', name: `${label} source`, config: { content: 'x', count: 1 } };
    if (i === ids.length - 1)
      return { id, type: 'LogAttribute', name: `${label} sink`, config: {}, autoTerminate: ['success'] };
    return {
      id,
      type: 'UpdateAttribute',
      name: `${label} step ${i}`,
      config: { attributes: { step: `"${i}"` } },
      autoTerminate: ['failure'],
    };
  });
  const connections = ids.slice(1).map((id, i) => ({
    id: `${ids[i]}-to-${id}`,
    source: ids[i]!,
    relationships: ['success'],
    target: id,
  }));
  return { processors, connections };
}

function fanOut(prefix: string, label: string): Unit {
  const relationships = [...ROUTES, 'unmatched'];
  const processors: ProcessorSpec[] = [
    { id: `${prefix}-src`, type: 'GenerateFlowFile', name: `${label} source`, config: { content: 'x', count: 1 } },
    {
      id: `${prefix}-route`,
      type: 'RouteOnAttribute',
      name: `${label} router`,
      config: { routes: Object.fromEntries(ROUTES.map((r, i) => [r, `attributes.n = "${i}"`])) },
      autoTerminate: ['failure'],
    },
    ...relationships.map((r) => ({
      id: `${prefix}-${r}`,
      type: 'LogAttribute',
      name: `${label} ${r}`,
      config: {},
      autoTerminate: ['success'],
    })),
  ];
  const connections: ConnectionSpec[] = [
    { id: `${prefix}-src-to-route`, source: `${prefix}-src`, relationships: ['success'], target: `${prefix}-route` },
    ...relationships.map((r) => ({
      id: `${prefix}-route-${r}`,
      source: `${prefix}-route`,
      relationships: [r],
      target: `${prefix}-${r}`,
    })),
  ];
  return { processors, connections };
}

/** A valid flow of `size` processors (a multiple of ten), positioned. */
export function largeFlow(size: number): Flow {
  const units = Array.from({ length: Math.ceil(size / 10) }, (_, i) =>
    i % 2 === 0 ? chain(`c${i}`, `Chain ${i}`) : fanOut(`f${i}`, `Fan-out ${i}`),
  );
  // Rows about as wide as the whole is tall, at the screen's aspect (16:10).
  const laid = units.map((unit) => {
    const boxes = unit.processors.map((p) => ({
      id: p.id,
      width: p.type === 'RouteOnAttribute' ? ROUTER_WIDTH : CARD.width,
      height: CARD.height,
    }));
    const at = layoutGraph(boxes, unit.connections as { source: string; target: string }[], {
      nodeGap: 70,
      rankGap: 110,
    });
    const width = Math.max(...boxes.map((b) => at[b.id]!.x + b.width));
    const height = Math.max(...boxes.map((b) => at[b.id]!.y + b.height));
    return { unit, at, width, height };
  });
  const gap = 120;
  const area = laid.reduce((sum, u) => sum + (u.width + gap) * (u.height + gap), 0);
  const rowWidth = Math.sqrt(area * 1.6);
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const processors: ProcessorSpec[] = [];
  const connections: ConnectionSpec[] = [];
  for (const { unit, at, width, height } of laid) {
    if (x > 0 && x + width > rowWidth) {
      x = 0;
      y += rowHeight + gap;
      rowHeight = 0;
    }
    for (const p of unit.processors) processors.push({ ...p, position: { x: x + at[p.id]!.x, y: y + at[p.id]!.y } });
    connections.push(...unit.connections);
    x += width + gap;
    rowHeight = Math.max(rowHeight, height);
  }
  return {
    schemaVersion: 1,
    id: `canvas-${size}`,
    name: `Canvas ${size}`,
    description: `${size} processors in chains and fan-outs (the canvas benchmark).`,
    processors,
    connections,
  } as Flow;
}
