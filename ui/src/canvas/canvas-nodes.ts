/**
 * What React Flow gets to draw for the level shown: its groups, funnels, labels and ports, then its
 * processors, each one not yet measured with an estimated size and handles (estimated-node.ts); and the
 * viewport that shows the level (initial-view.ts) from the same sizes.
 */
import type { Viewport } from '@xyflow/react';
import { useMemo } from 'react';
import type { CanvasNode, ProcessorNode } from '../flow-mapping';
import { type AppState, useStore } from '../store';
import { relationshipKey } from '../store/catalog-slice';
import { edgeIndex } from './edge-index';
import { withEstimate } from './estimated-node';
import { type Box, coversNodes, initialViewport } from './initial-view';

/** A group card, funnel or port not measured yet: its size is about this. */
const OTHER_SIZE = { width: 220, height: 110 };

/** The relationships a processor's card will draw, left to right, as far as the store knows them. */
export function relationshipsIn(s: AppState): (node: ProcessorNode) => string[] {
  const used = edgeIndex(s.edges).relationshipsFrom;
  return (node) => {
    const { type, config } = node.data.spec;
    const descriptor = s.catalog.byType[type];
    const offered =
      (descriptor?.dynamicRelationships ? s.catalog.dynamic[relationshipKey(type, config)] : undefined) ??
      descriptor?.relationships ??
      [];
    const names = offered.map((r) => r.name);
    return [...names, ...new Set((used.get(node.id) ?? []).filter((r) => !names.includes(r)))];
  };
}

export function useCanvasNodes(): CanvasNode[] {
  const processors = useStore((s) => s.nodes);
  const others = useStore((s) => s.others);
  return useMemo(() => {
    const relationships = relationshipsIn(useStore.getState());
    return [...others, ...processors.map((n) => withEstimate(n, relationships))];
  }, [others, processors]);
}

/** The boxes of the level shown (flow coordinates), measured or estimated, and those nothing feeds. */
function levelBoxes(s: AppState): { boxes: Box[]; sources: Set<string> } {
  const relationships = relationshipsIn(s);
  const boxes: Box[] = [
    ...s.nodes.map((n) => {
      const { measured } = withEstimate(n, relationships);
      return { id: n.id, ...n.position, width: measured!.width!, height: measured!.height! };
    }),
    ...s.others.map((n) => ({
      id: n.id,
      ...n.position,
      width: n.measured?.width ?? OTHER_SIZE.width,
      height: n.measured?.height ?? OTHER_SIZE.height,
    })),
  ];
  const fed = new Set(s.edges.map((e) => e.target));
  return { boxes, sources: new Set(boxes.map((b) => b.id).filter((id) => !fed.has(id))) };
}

/** The viewport showing the level in a pane of `pane` screen pixels. */
export function levelViewport(pane: { width: number; height: number }): Viewport {
  const { boxes, sources } = levelBoxes(useStore.getState());
  return initialViewport(boxes, sources, pane);
}

/** Whether the minimap would cover part of the level at `viewport`. */
export function minimapCoversLevel(viewport: Viewport, pane: { width: number; height: number }): boolean {
  return coversNodes(levelBoxes(useStore.getState()).boxes, viewport, pane);
}
