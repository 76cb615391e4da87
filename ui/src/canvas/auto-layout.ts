/**
 * The canvas's Auto-layout button: the level's processors laid out top to bottom (lib/layout.ts) knowing where
 * each connection leaves its source, from the handles React Flow measured (or, for a card never drawn, from
 * its estimate), so that the layout can keep connections from crossing. One undo step.
 */
import type { InternalNode } from '@xyflow/react';
import { layoutGraph } from '../lib/layout';
import { useStore } from '../store';
import { relationshipsIn } from './canvas-nodes';
import { withEstimate } from './estimated-node';

export function layoutLevel(internal: (id: string) => InternalNode | undefined): void {
  const st = useStore.getState();
  const relationships = relationshipsIn(st);
  const drawn = new Map(st.nodes.map((n) => [n.id, withEstimate(n, relationships)]));
  const nodes = [...drawn.values()].map((n) => ({ id: n.id, width: n.measured!.width!, height: n.measured!.height! }));
  const edges = st.edges.map((e) => {
    const handles = internal(e.source)?.internals.handleBounds?.source ?? drawn.get(e.source)?.handles ?? [];
    const handle = handles.find((h) => h.id === e.sourceHandle);
    return {
      source: e.source,
      target: e.target,
      ...(handle && { sourcePort: handle.x + (handle.width ?? 0) / 2 }),
    };
  });
  st.moveNodes(layoutGraph(nodes, edges, { direction: 'TB', nodeGap: 70, rankGap: 110 }));
}
