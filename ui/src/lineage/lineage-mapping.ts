/**
 * A FlowFile's lineage (from the server) as React Flow nodes and edges, laid out top to bottom. A link from one
 * FlowFile to another (FORK / CLONE children, the parts of a JOIN) is dashed and labelled.
 */
import type { Edge, Node } from '@xyflow/react';
import type { Lineage, ProvenanceEvent } from '../api/types';
import { layoutGraph } from '../lib/layout';

export type LineageNodeData = {
  event: ProvenanceEvent;
  /** The event concerns the FlowFile whose lineage was asked for. */
  root: boolean;
  componentName: string;
};
export type LineageNode = Node<LineageNodeData, 'event'>;

export const LINEAGE_NODE = { width: 230, height: 62 };

export function lineageToGraph(
  lineage: Lineage,
  componentName: (id: string) => string = (id) => id,
): { nodes: LineageNode[]; edges: Edge[] } {
  const events = new Map(lineage.events.map((e) => [`e${e.eventId}`, e]));
  const positions = layoutGraph(
    lineage.nodes.map((n) => ({ id: n.id, ...LINEAGE_NODE })),
    lineage.edges,
    { direction: 'TB', nodeGap: 30, rankGap: 50 },
  );
  const nodes: LineageNode[] = lineage.nodes.map((n) => ({
    id: n.id,
    type: 'event',
    position: positions[n.id] ?? { x: 0, y: 0 },
    data: {
      event: events.get(n.id) ?? ({ ...n, attributes: {}, parentIds: [], childIds: [] } as unknown as ProvenanceEvent),
      root: n.flowFileId === lineage.flowFileId,
      componentName: componentName(n.componentId),
    },
  }));
  const edges: Edge[] = lineage.edges.map((e) => {
    const parentToChild = events.get(e.source)?.flowFileId !== e.flowFileId;
    return {
      id: e.id,
      source: e.source,
      target: e.target,
      animated: parentToChild,
      style: parentToChild ? { stroke: 'var(--transform)', strokeDasharray: '5 4' } : { stroke: 'var(--edge)' },
      label: parentToChild ? (events.get(e.target)?.type === 'JOIN' ? 'joined' : 'child') : undefined,
    };
  });
  return { nodes, edges };
}
