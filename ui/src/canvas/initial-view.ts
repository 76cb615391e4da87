/**
 * Where the canvas looks when a flow opens (or a group is entered, or the flow is laid out again). The whole
 * level when it fits at a zoom where card names can be read (READABLE_ZOOM, 0.6: the 13 px name is about 8 px),
 * up to 1:1. A level too large for that opens at READABLE_ZOOM on its sources instead, the place a flow is
 * read from: the first source (topmost, then leftmost) and as many of the next sources as fit beside it,
 * centred across, at the top of the view, with what they feed below. The screen strips that the toolbar
 * (top) and the minimap and zoom controls (bottom) cover are kept clear, so no card or handle of a level that
 * fits opens under them; a level that does not fit runs on under them, and the minimap then opens folded
 * (`coversNodes`) rather than hide handles.
 */
import type { Viewport } from '@xyflow/react';

export const READABLE_ZOOM = 0.6;
export const MAX_FIT_ZOOM = 1;
/** Screen pixels kept free around the flow, besides the insets. */
const MARGIN = 24;

export interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Screen pixels covered along each side of the pane. */
export interface Insets {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** Where the minimap sits: React Flow's bottom-right panel, 15 px from the pane's edges. */
export const MINIMAP = { width: 150, height: 100, margin: 15 };

export const CANVAS_INSETS: Insets = {
  // The toolbar (top left) and the minimap and zoom controls (bottom corners): 15 px from the edge, plus
  // their height, plus a gap.
  top: 56,
  right: 0,
  bottom: MINIMAP.margin + MINIMAP.height + 20,
  left: 0,
};

function bounds(boxes: readonly Box[]) {
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  return {
    x,
    y,
    width: Math.max(...boxes.map((b) => b.x + b.width)) - x,
    height: Math.max(...boxes.map((b) => b.y + b.height)) - y,
  };
}

/**
 * The viewport for `boxes` (flow coordinates) in a pane of `pane` screen pixels, `sources` being the ids of the
 * boxes nothing at the level feeds.
 */
export function initialViewport(
  boxes: readonly Box[],
  sources: ReadonlySet<string>,
  pane: { width: number; height: number },
  insets: Insets = CANVAS_INSETS,
): Viewport {
  if (boxes.length === 0) return { x: 0, y: 0, zoom: 1 };
  const area = {
    x: insets.left + MARGIN,
    y: insets.top + MARGIN,
    width: Math.max(1, pane.width - insets.left - insets.right - 2 * MARGIN),
    height: Math.max(1, pane.height - insets.top - insets.bottom - 2 * MARGIN),
  };
  const all = bounds(boxes);
  const fit = Math.min(area.width / all.width, area.height / all.height, MAX_FIT_ZOOM);
  if (fit >= READABLE_ZOOM) {
    return {
      x: area.x + (area.width - all.width * fit) / 2 - all.x * fit,
      y: area.y + (area.height - all.height * fit) / 2 - all.y * fit,
      zoom: fit,
    };
  }
  const zoom = READABLE_ZOOM;
  const starts = boxes.filter((b) => sources.has(b.id));
  const ordered = (starts.length > 0 ? starts : boxes).slice().sort((a, b) => a.y - b.y || a.x - b.x);
  let shown = [ordered[0]!];
  for (const next of ordered.slice(1)) {
    const wider = bounds([...shown, next]);
    if (wider.width * zoom > area.width || wider.height * zoom > area.height) break;
    shown = [...shown, next];
  }
  const view = bounds(shown);
  return {
    x: area.x + (area.width - view.width * zoom) / 2 - view.x * zoom,
    y: area.y - view.y * zoom,
    zoom,
  };
}

/** Whether a box (or a handle, up to 10 px outside it) would be under the minimap at `viewport`. */
export function coversNodes(
  boxes: readonly Box[],
  viewport: Viewport,
  pane: { width: number; height: number },
): boolean {
  const map = {
    x: pane.width - MINIMAP.margin - MINIMAP.width,
    y: pane.height - MINIMAP.margin - MINIMAP.height,
  };
  const reach = 10;
  return boxes.some((b) => {
    const left = (b.x - reach) * viewport.zoom + viewport.x;
    const top = (b.y - reach) * viewport.zoom + viewport.y;
    const right = (b.x + b.width + reach) * viewport.zoom + viewport.x;
    const bottom = (b.y + b.height + reach) * viewport.zoom + viewport.y;
    return right > map.x && left < map.x + MINIMAP.width && bottom > map.y && top < map.y + MINIMAP.height;
  });
}
