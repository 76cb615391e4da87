/**
 * The bottom drawer's top edge: drag it to resize the drawer, or focus it and use the arrow keys (Shift for
 * bigger steps, Page Up/Down, Home/End). The height is remembered (drawer-height.ts).
 */
import { useEffect, useRef, useState } from 'react';
import { clampHeight, heightForKey, loadHeight, MIN_HEIGHT, maxHeight, saveHeight } from './drawer-height';

const storage = () => (typeof localStorage === 'undefined' ? undefined : localStorage);

/** The drawer's height as the user left it, bounded by the current window. */
export function useDrawerHeight(): [number, (height: number, save?: boolean) => void] {
  const [height, setHeight] = useState(() => loadHeight(storage()));
  const [viewport, setViewport] = useState(() => window.innerHeight);
  useEffect(() => {
    const onResize = () => setViewport(window.innerHeight);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  const set = (next: number, save = true) => {
    const bounded = clampHeight(next, window.innerHeight);
    setHeight(bounded);
    if (save) saveHeight(storage(), bounded);
  };
  return [clampHeight(height, viewport), set];
}

export function DrawerResizeHandle({
  height,
  onResize,
}: {
  height: number;
  onResize(height: number, save?: boolean): void;
}) {
  const drag = useRef<{ y: number; height: number; last: number } | null>(null);
  const [dragging, setDragging] = useState(false);
  const end = () => {
    if (!drag.current) return;
    onResize(drag.current.last);
    drag.current = null;
    setDragging(false);
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: a focusable, movable separator; <hr> can take neither
    <div
      className={`drawer-resize${dragging ? ' dragging' : ''}`}
      role="separator"
      aria-orientation="horizontal"
      aria-label="Resize the drawer"
      aria-valuenow={height}
      aria-valuemin={MIN_HEIGHT}
      aria-valuemax={maxHeight(window.innerHeight)}
      tabIndex={0}
      title="Drag to resize (or focus and use the arrow keys)"
      data-testid="drawer-resize"
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        e.preventDefault();
        e.currentTarget.setPointerCapture(e.pointerId);
        drag.current = { y: e.clientY, height, last: height };
        setDragging(true);
      }}
      onPointerMove={(e) => {
        if (!drag.current) return;
        drag.current.last = clampHeight(drag.current.height + drag.current.y - e.clientY, window.innerHeight);
        onResize(drag.current.last, false);
      }}
      onPointerUp={end}
      onPointerCancel={end}
      onKeyDown={(e) => {
        const next = heightForKey(e.key, e.shiftKey, height, window.innerHeight);
        if (next === null) return;
        e.preventDefault();
        e.stopPropagation();
        onResize(next);
      }}
    />
  );
}
