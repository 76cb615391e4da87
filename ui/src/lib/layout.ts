/** Layered auto-layout (dagre) for the canvas and the lineage graph: top-left positions by node id. */
import { Graph, layout } from '@dagrejs/dagre';

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
}

export interface LayoutOptions {
  direction?: 'TB' | 'LR';
  nodeGap?: number;
  rankGap?: number;
}

export function layoutGraph(
  nodes: readonly LayoutNode[],
  edges: readonly { source: string; target: string }[],
  { direction = 'TB', nodeGap = 60, rankGap = 90 }: LayoutOptions = {},
): Record<string, { x: number; y: number }> {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: direction, nodesep: nodeGap, ranksep: rankGap, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  edges.forEach((e, i) => {
    if (g.hasNode(e.source) && g.hasNode(e.target) && e.source !== e.target) g.setEdge(e.source, e.target, {}, `e${i}`);
  });
  layout(g);
  const positions: Record<string, { x: number; y: number }> = {};
  for (const n of nodes) {
    const placed = g.node(n.id) as { x: number; y: number };
    positions[n.id] = { x: Math.round(placed.x - n.width / 2), y: Math.round(placed.y - n.height / 2) };
  }
  return positions;
}
