/**
 * Flow JSON ⇄ React Flow nodes and edges, in one pure module. A processor becomes a `processor` node whose data
 * is its spec (everything but the position, which React Flow owns); a connection becomes one `queue` edge from
 * the handle of its first relationship. `canvasToFlow(flowToCanvas(f))` gives back `f`.
 */
import type { Edge, Node } from '@xyflow/react';
import type { ConnectionSpec, Flow, ProcessorSpec } from './api/types';

export type ProcessorNodeData = { spec: Omit<ProcessorSpec, 'position'> };
export type QueueEdgeData = { spec: Omit<ConnectionSpec, 'source' | 'target'> };
export type ProcessorNode = Node<ProcessorNodeData, 'processor'>;
export type QueueEdge = Edge<QueueEdgeData, 'queue'>;

/**
 * The flow document without its processors and connections; connections to a group's port (which the canvas
 * does not draw yet) ride along unchanged in `portConnections`.
 */
export type FlowMeta = Omit<Flow, 'processors' | 'connections'> & { portConnections?: ConnectionSpec[] };

/** A connection between two things the canvas draws (no group port yet). */
export type DrawnConnection = ConnectionSpec & { source: string; target: string };

function drawn(c: ConnectionSpec): c is DrawnConnection {
  return typeof c.source === 'string' && typeof c.target === 'string';
}

/** The id of every processor's single input handle. */
export const INPUT_HANDLE = 'in';

/** Where a processor without a position goes (auto-layout usually replaces it at once). */
function fallbackPosition(index: number): { x: number; y: number } {
  return { x: (index % 4) * 300, y: Math.floor(index / 4) * 200 };
}

export function processorToNode(spec: ProcessorSpec, index = 0): ProcessorNode {
  const { position, ...rest } = spec;
  return {
    id: spec.id,
    type: 'processor',
    position: position ? { x: position.x, y: position.y } : fallbackPosition(index),
    data: { spec: rest },
  };
}

export function connectionToEdge(spec: DrawnConnection): QueueEdge {
  const { source, target, ...rest } = spec;
  return {
    id: spec.id,
    type: 'queue',
    source,
    target,
    sourceHandle: spec.relationships[0],
    targetHandle: INPUT_HANDLE,
    data: { spec: rest },
  };
}

export function flowToCanvas(flow: Flow): { meta: FlowMeta; nodes: ProcessorNode[]; edges: QueueEdge[] } {
  const { processors, connections, ...rest } = flow;
  const ports = connections.filter((c) => !drawn(c));
  const meta: FlowMeta = ports.length > 0 ? { ...rest, portConnections: ports } : rest;
  return {
    meta,
    nodes: processors.map((p, i) => processorToNode(p, i)),
    edges: connections.filter(drawn).map(connectionToEdge),
  };
}

export function nodeToProcessor(node: ProcessorNode): ProcessorSpec {
  return { ...node.data.spec, id: node.id, position: { x: node.position.x, y: node.position.y } };
}

export function edgeToConnection(edge: QueueEdge): DrawnConnection {
  const spec = edge.data?.spec ?? { id: edge.id, relationships: edge.sourceHandle ? [edge.sourceHandle] : [] };
  return { ...spec, id: edge.id, source: edge.source, target: edge.target };
}

export function canvasToFlow(meta: FlowMeta, nodes: readonly ProcessorNode[], edges: readonly QueueEdge[]): Flow {
  const { portConnections, ...rest } = meta;
  return {
    ...rest,
    processors: nodes.map(nodeToProcessor),
    connections: [...edges.map(edgeToConnection), ...(portConnections ?? [])],
  } as Flow;
}

/** True when every processor of the flow has a saved position (otherwise the canvas lays it out). */
export function hasPositions(flow: Flow): boolean {
  return flow.processors.every((p) => p.position !== undefined);
}

/** `base`, or `base-2`, `base-3`… whichever is not taken; ids keep to the flow schema's alphabet. */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  const clean =
    base
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 56) || 'item';
  if (!taken.has(clean)) return clean;
  for (let n = 2; ; n++) if (!taken.has(`${clean}-${n}`)) return `${clean}-${n}`;
}

/** GenerateFlowFile → generate-flow-file */
export function kebab(type: string): string {
  return type
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}
