/**
 * What the canvas draws.
 *
 * Level of detail: below LOW_DETAIL_ZOOM a card's text is under 6 px on screen; nobody reads counters there,
 * and drawing them is what makes a zoomed-out canvas of hundreds of processors slow. So below it a card is a
 * plain box with its name in large type (its state as the border's colour), with no handles, metrics or
 * relationship labels, and a connection is a line without its queue label (red when backpressured). The
 * choice: at 0.45 the 13 px card name is about 6 px, the last zoom where the full card is any use. A box's
 * name grows as the zoom shrinks (`--canvas-zoom`, lod.css), so it stays legible down to about 0.15.
 *
 * Only what is in view: a level of more than VIRTUALIZE_ABOVE nodes draws only the nodes and connections in
 * view (React Flow's `onlyRenderVisibleElements`); a smaller one draws everything, which is cheap at that size
 * and keeps every card in the page for find-in-page, tab order and tests.
 */
import { useStore as useFlowStore, useStoreApi } from '@xyflow/react';
import { type RefObject, useEffect } from 'react';

export const LOW_DETAIL_ZOOM = 0.45;
export const VIRTUALIZE_ABOVE = 150;

/** True while the canvas is zoomed out below LOW_DETAIL_ZOOM (re-renders only when that flips). */
export function useLowDetail(): boolean {
  return useFlowStore((s) => s.transform[2] < LOW_DETAIL_ZOOM);
}

/**
 * Keeps `--canvas-zoom` on `target` at the zoom in steps of 0.05, for CSS that sizes things against it; set
 * outside React, so a pan re-renders nothing and a zoom restyles only when it crosses a step.
 */
export function useZoomVariable(target: RefObject<HTMLElement | null>): void {
  const store = useStoreApi();
  useEffect(() => {
    let shown = -1;
    const apply = (zoom: number) => {
      const step = Math.max(0.05, Math.round(zoom * 20) / 20);
      if (step === shown) return;
      shown = step;
      target.current?.style.setProperty('--canvas-zoom', String(step));
    };
    apply(store.getState().transform[2]);
    return store.subscribe((s) => apply(s.transform[2]));
  }, [store, target]);
}
