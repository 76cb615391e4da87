import { expect, test } from 'vitest';
import { CANVAS_INSETS, coversNodes, initialViewport, MINIMAP, READABLE_ZOOM } from './initial-view';

const card = (id: string, x: number, y: number) => ({ id, x, y, width: 270, height: 141 });
const pane = { width: 1100, height: 800 };
const onScreen = (v: { x: number; y: number; zoom: number }, p: { x: number; y: number }) => ({
  x: p.x * v.zoom + v.x,
  y: p.y * v.zoom + v.y,
});

test('a small flow is fitted whole, at 1:1 at most, clear of the toolbar and the minimap strip', () => {
  const boxes = [card('a', 0, 0), card('b', 0, 251), card('c', 340, 251)];
  const v = initialViewport(boxes, new Set(['a']), pane);
  expect(v.zoom).toBe(1);
  const topLeft = onScreen(v, { x: 0, y: 0 });
  const bottomRight = onScreen(v, { x: 610, y: 392 });
  expect(topLeft.y).toBeGreaterThanOrEqual(CANVAS_INSETS.top);
  expect(bottomRight.y).toBeLessThanOrEqual(pane.height - CANVAS_INSETS.bottom);
  // Centred across.
  expect(Math.round(topLeft.x + bottomRight.x)).toBe(pane.width);
  expect(coversNodes(boxes, v, pane)).toBe(false);
});

test('a flow that fits only below the readable zoom is fitted as long as names stay readable', () => {
  const boxes = Array.from({ length: 4 }, (_, i) => card(`n${i}`, 0, i * 251));
  const v = initialViewport(boxes, new Set(['n0']), pane);
  expect(v.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
  expect(v.zoom).toBeLessThan(1);
});

test('a flow too large opens at the readable zoom on its first sources, at the top of the view', () => {
  // Ten columns, far wider than the pane: each a source above a chain.
  const boxes = Array.from({ length: 10 }, (_, col) =>
    Array.from({ length: 8 }, (_, row) => card(`c${col}-${row}`, col * 400, row * 251)),
  ).flat();
  const sources = new Set(Array.from({ length: 10 }, (_, col) => `c${col}-0`));
  const v = initialViewport(boxes, sources, pane);
  expect(v.zoom).toBe(READABLE_ZOOM);
  // The first source's card is on screen at the top, below the toolbar.
  const first = onScreen(v, { x: 0, y: 0 });
  expect(first.x).toBeGreaterThanOrEqual(0);
  expect(first.y).toBeGreaterThanOrEqual(CANVAS_INSETS.top);
  expect(first.y).toBeLessThan(CANVAS_INSETS.top + 60);
  // As many of the next sources as fit beside it are in view too, the group centred across.
  const lastShown = [...sources].filter((id) => {
    const box = boxes.find((b) => b.id === id)!;
    return onScreen(v, { x: box.x + box.width, y: 0 }).x <= pane.width;
  });
  expect(lastShown.length).toBeGreaterThan(1);
  // The minimap would cover part of it: the canvas then opens with the minimap folded.
  expect(coversNodes(boxes, v, pane)).toBe(true);
});

test('the minimap corner is where coversNodes looks', () => {
  const v = { x: 0, y: 0, zoom: 1 };
  const corner = {
    id: 'x',
    x: pane.width - MINIMAP.margin - MINIMAP.width / 2,
    y: pane.height - MINIMAP.margin - MINIMAP.height / 2,
    width: 10,
    height: 10,
  };
  expect(coversNodes([corner], v, pane)).toBe(true);
  expect(coversNodes([{ ...corner, x: 10, y: 10 }], v, pane)).toBe(false);
  expect(initialViewport([], new Set(), pane)).toEqual({ x: 0, y: 0, zoom: 1 });
});
