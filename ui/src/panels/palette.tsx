/**
 * The palette: processor types from the catalog, grouped by category and searchable. Drag one onto the canvas,
 * double-click it, or press Enter or Space on it (each item is a button, reached with Tab) to add it with its
 * default config; from the keyboard it lands at the centre of the canvas, selected.
 */
import { useReactFlow } from '@xyflow/react';
import { useMemo, useState } from 'react';
import type { ProcessorCategory, ProcessorDescriptor } from '../api/types';
import { PROCESSOR_DRAG_TYPE, SHAPE_DRAG_TYPE } from '../canvas/flow-canvas';
import { useStore } from '../store';
import { NODE_WIDTH } from '../store/session';
import { useCan } from '../store/use-can';
import { PaletteServices } from './services/palette-services';

/** Enter or Space on a palette item adds it (a button's own click is not used: a click ends every drag). */
const isAddKey = (e: { key: string; repeat: boolean }) => (e.key === 'Enter' || e.key === ' ') && !e.repeat;

const GROUPS: { category: ProcessorCategory; title: string }[] = [
  { category: 'source', title: 'Sources' },
  { category: 'transform', title: 'Transform' },
  { category: 'route', title: 'Route' },
  { category: 'messaging', title: 'Messaging' },
  { category: 'stream', title: 'Streams' },
  { category: 'sink', title: 'Sinks' },
];

function matches(p: ProcessorDescriptor, query: string): boolean {
  const q = query.trim().toLowerCase();
  return !q || p.type.toLowerCase().includes(q) || p.description.toLowerCase().includes(q) || p.category.includes(q);
}

export function Palette() {
  const processors = useStore((s) => s.catalog.processors);
  const error = useStore((s) => (s.needsToken ? undefined : s.catalog.error));
  const canEdit = useCan('admin');
  const hasFlow = useStore((s) => s.meta !== null) && canEdit;
  const [query, setQuery] = useState('');
  const { screenToFlowPosition } = useReactFlow();
  const groups = useMemo(
    () =>
      GROUPS.map((g) => ({
        ...g,
        items: processors.filter((p) => p.category === g.category && matches(p, query)),
      })).filter((g) => g.items.length > 0),
    [processors, query],
  );

  /** A free spot in the middle of the canvas for a new item `width` wide. */
  const centerSpot = (width: number) => {
    const canvas = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
    if (!canvas) return undefined;
    const at = screenToFlowPosition({ x: canvas.left + canvas.width / 2, y: canvas.top + canvas.height / 2 });
    const spot = { x: at.x - width / 2, y: at.y - 60 };
    // Adding again does not stack the new item exactly on the last one.
    const { nodes, others } = useStore.getState();
    const taken = (p: { x: number; y: number }) =>
      [...nodes, ...others].some((n) => Math.abs(n.position.x - p.x) < 20 && Math.abs(n.position.y - p.y) < 20);
    for (let i = 0; i < 50 && taken(spot); i++) {
      spot.x += 30;
      spot.y += 30;
    }
    return spot;
  };
  const addAtCenter = (type: string) => {
    const spot = centerSpot(NODE_WIDTH);
    if (spot) useStore.getState().addProcessor(type, spot);
  };
  const addShape = (shape: 'funnel' | 'label') => {
    const spot = centerSpot(shape === 'funnel' ? 40 : 220);
    if (!spot) return;
    if (shape === 'funnel') useStore.getState().addFunnel(spot);
    else useStore.getState().addLabel(spot);
  };

  return (
    <aside className="palette" data-testid="palette">
      <div className="palette-search">
        <input
          type="search"
          placeholder="Search processors…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          aria-label="Search processors"
          data-testid="palette-search"
        />
      </div>
      <div className="palette-list">
        <section className="palette-group">
          <h3>Canvas</h3>
          {(
            [
              ['funnel', 'Funnel', 'Merges connections into one (FlowFiles pass through unchanged).'],
              ['label', 'Label', 'A note on the canvas; nothing runs on it.'],
            ] as const
          ).map(([shape, title, description]) => (
            <button
              type="button"
              key={shape}
              className="palette-item shape"
              draggable={hasFlow}
              disabled={!hasFlow}
              data-testid={`palette-${shape}`}
              title={`${description}\n\nDrag onto the canvas (or press Enter / double-click) to add.`}
              aria-keyshortcuts="Enter Space"
              onDragStart={(e) => {
                e.dataTransfer.setData(SHAPE_DRAG_TYPE, shape);
                e.dataTransfer.effectAllowed = 'copy';
              }}
              onDoubleClick={() => addShape(shape)}
              onKeyDown={(e) => {
                if (!isAddKey(e)) return;
                e.preventDefault();
                addShape(shape);
              }}
            >
              <strong>{title}</strong>
              <span>{description}</span>
            </button>
          ))}
        </section>
        {error && <p className="error-text">The processor types could not be loaded: {error}</p>}
        {groups.map((g) => (
          <section className="palette-group" key={g.category}>
            <h3>{g.title}</h3>
            {g.items.map((p) => (
              <button
                type="button"
                key={p.type}
                className={`palette-item cat-${p.category}`}
                draggable={hasFlow}
                disabled={!hasFlow}
                data-testid={`palette-${p.type}`}
                title={
                  hasFlow
                    ? `${p.description}\n\nDrag onto the canvas (or press Enter / double-click) to add.`
                    : canEdit
                      ? 'Open or create a flow first'
                      : `${p.description}\n\nYour role may not edit flows.`
                }
                onDragStart={(e) => {
                  e.dataTransfer.setData(PROCESSOR_DRAG_TYPE, p.type);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                onDoubleClick={() => addAtCenter(p.type)}
                aria-keyshortcuts="Enter Space"
                onKeyDown={(e) => {
                  if (!isAddKey(e)) return;
                  e.preventDefault();
                  addAtCenter(p.type);
                }}
              >
                <strong>{p.type}</strong>
                <span>{p.description}</span>
              </button>
            ))}
          </section>
        ))}
        {processors.length > 0 && groups.length === 0 && <p className="muted">No processor matches “{query}”.</p>}
        <PaletteServices query={query} enabled={hasFlow} />
      </div>
    </aside>
  );
}
