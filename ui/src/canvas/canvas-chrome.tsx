/**
 * The canvas's background and minimap. Both are drawn again on every frame of a pan, so both are kept cheap
 * for large flows: no dots below the level-of-detail zoom, plain squares on the minimap. The minimap can be
 * folded away; the canvas opens with it folded when it would cover part of the flow (initial-view.ts).
 */
import { Background, BackgroundVariant, MiniMap, Panel } from '@xyflow/react';
import type { CanvasNode, ProcessorNode } from '../flow-mapping';
import { useStore } from '../store';
import { useLowDetail } from './detail-level';
import { MINIMAP } from './initial-view';

/** The minimap's node colours: the theme's category tokens (base.css, theme-dark.css). */
const CATEGORY_COLORS: Record<string, string> = {
  source: 'var(--source)',
  transform: 'var(--transform)',
  route: 'var(--route)',
  sink: 'var(--sink)',
  messaging: 'var(--messaging)',
  stream: 'var(--stream)',
};

/** A node's colour on the minimap (one function for good: a new one would redraw all of the minimap's nodes). */
function minimapColor(n: CanvasNode): string {
  const type = n.type === 'processor' ? (n as ProcessorNode).data.spec.type : '';
  return CATEGORY_COLORS[useStore.getState().catalog.byType[type]?.category ?? ''] ?? 'var(--edge)';
}

/**
 * The dotted background, left out below the level-of-detail zoom: there its dots would be under 8 px apart, a
 * grey haze that costs the browser more to draw on every frame of a pan than the boxes themselves.
 */
export function CanvasBackground() {
  const lowDetail = useLowDetail();
  return lowDetail ? null : <Background variant={BackgroundVariant.Dots} gap={18} size={1.2} color="var(--dots)" />;
}

/** The minimap, bottom right, and the button beside it that folds it away (or, folded, brings it back). */
export function CanvasMinimap({ open, onToggle }: { open: boolean; onToggle: () => void }) {
  return (
    <>
      {open && (
        <MiniMap
          pannable
          zoomable
          style={{ width: MINIMAP.width, height: MINIMAP.height }}
          nodeColor={minimapColor}
          nodeStrokeWidth={0}
          nodeBorderRadius={0}
        />
      )}
      <Panel position="bottom-right" className={`minimap-toggle${open ? ' open' : ''}`}>
        <button
          type="button"
          className="btn small"
          data-testid="minimap-toggle"
          aria-pressed={open}
          onClick={onToggle}
          title={open ? 'Fold the minimap away' : 'Show the minimap'}
        >
          {open ? '▾' : '▣ Map'}
        </button>
      </Panel>
    </>
  );
}
