/**
 * Pure edits of the canvas graph that need more than an array update: wiring a relationship, deleting with the
 * attached connections, copying a selection and pasting it under fresh ids.
 */
import type { ConnectionSpec, ProcessorSpec } from '../api/types';
import {
  connectionToEdge,
  type DrawnConnection,
  edgeToConnection,
  nodeToProcessor,
  type ProcessorNode,
  processorToNode,
  type QueueEdge,
  uniqueId,
} from '../flow-mapping';

/**
 * Routes `relationship` of `source` to `target`: adds it to the connection already joining the two, or creates a
 * new connection. Returns the same array when the relationship is already routed there.
 */
export function connectRelationship(
  edges: readonly QueueEdge[],
  link: { source: string; relationship: string; target: string },
): QueueEdge[] {
  const existing = edges.find((e) => e.source === link.source && e.target === link.target);
  if (existing) {
    const spec = edgeToConnection(existing);
    if (spec.relationships.includes(link.relationship)) return edges as QueueEdge[];
    const updated = connectionToEdge({ ...spec, relationships: [...spec.relationships, link.relationship] });
    return edges.map((e) => (e.id === existing.id ? { ...updated, selected: e.selected } : e));
  }
  const id = uniqueId(`${link.source}-${link.relationship}-${link.target}`, new Set(edges.map((e) => e.id)));
  const spec: DrawnConnection = { id, source: link.source, relationships: [link.relationship], target: link.target };
  return [...edges, connectionToEdge(spec)];
}

/** Removes the selected nodes and edges, and every edge attached to a removed node. */
export function removeSelected(
  nodes: readonly ProcessorNode[],
  edges: readonly QueueEdge[],
): { nodes: ProcessorNode[]; edges: QueueEdge[]; removed: number } {
  const gone = new Set(nodes.filter((n) => n.selected).map((n) => n.id));
  const keptNodes = nodes.filter((n) => !gone.has(n.id));
  const keptEdges = edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
  return {
    nodes: keptNodes,
    edges: keptEdges,
    removed: nodes.length - keptNodes.length + edges.length - keptEdges.length,
  };
}

/** What Ctrl+C keeps: the selected processors and the connections between them. */
export interface Clip {
  processors: ProcessorSpec[];
  connections: ConnectionSpec[];
}

export function copySelected(nodes: readonly ProcessorNode[], edges: readonly QueueEdge[]): Clip | null {
  const picked = nodes.filter((n) => n.selected);
  if (picked.length === 0) return null;
  const ids = new Set(picked.map((n) => n.id));
  return {
    processors: structuredClone(picked.map(nodeToProcessor)),
    connections: structuredClone(
      edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => edgeToConnection(e)),
    ),
  };
}

/** The clip as new nodes and edges with ids unused in the flow, moved by `offset`, and selected. */
export function pasteClip(
  clip: Clip,
  nodes: readonly ProcessorNode[],
  edges: readonly QueueEdge[],
  offset: { x: number; y: number },
): { nodes: ProcessorNode[]; edges: QueueEdge[] } {
  const takenNodes = new Set(nodes.map((n) => n.id));
  const takenEdges = new Set(edges.map((e) => e.id));
  const rename = new Map<string, string>();
  const newNodes = clip.processors.map((p) => {
    const id = uniqueId(p.id, takenNodes);
    takenNodes.add(id);
    rename.set(p.id, id);
    const position = p.position ?? { x: 0, y: 0 };
    return {
      ...processorToNode({
        ...structuredClone(p),
        id,
        position: { x: position.x + offset.x, y: position.y + offset.y },
      }),
      selected: true,
    };
  });
  const newEdges = clip.connections.map((c) => {
    const id = uniqueId(c.id, takenEdges);
    takenEdges.add(id);
    return {
      ...connectionToEdge({
        ...structuredClone(c),
        id,
        source: rename.get(c.source as string)!,
        target: rename.get(c.target as string)!,
      }),
      selected: true,
    };
  });
  return {
    nodes: [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...newNodes],
    edges: [...edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...newEdges],
  };
}
