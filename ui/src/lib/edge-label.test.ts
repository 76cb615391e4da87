import { getBezierPath, Position } from '@xyflow/react';
import { expect, test } from 'vitest';
import { labelFraction, pointOnConnection, quarantineMarker } from './edge-label';

test('at the middle it is the point React Flow puts its own label at, for curves going down and back up', () => {
  for (const [source, target] of [
    [
      { x: 100, y: 50 },
      { x: 400, y: 300 },
    ],
    [
      { x: 400, y: 500 },
      { x: 100, y: 120 },
    ],
  ] as const) {
    const [, labelX, labelY] = getBezierPath({
      sourceX: source.x,
      sourceY: source.y,
      sourcePosition: Position.Bottom,
      targetX: target.x,
      targetY: target.y,
      targetPosition: Position.Top,
    });
    const mid = pointOnConnection(source, target, 0.5);
    expect(mid.x).toBeCloseTo(labelX, 6);
    expect(mid.y).toBeCloseTo(labelY, 6);
  }
  expect(pointOnConnection({ x: 0, y: 0 }, { x: 300, y: 200 }, 0)).toEqual({ x: 0, y: 0 });
  expect(pointOnConnection({ x: 0, y: 0 }, { x: 300, y: 200 }, 1)).toEqual({ x: 300, y: 200 });
});

test('labels of connections converging on one target sit apart, each towards its own source', () => {
  const target = { x: 300, y: 250 };
  const sources = [0, 300, 600].map((x) => ({ x, y: 0 }));
  const t = labelFraction({ fanIn: 3, fanOut: 1 });
  expect(t).toBeLessThan(0.5);
  const xs = sources.map((s) => pointOnConnection(s, target, t).x);
  // A label is about 140 px wide: at the middle they would overlap (150 px apart), here they do not.
  expect(xs[1]! - xs[0]!).toBeGreaterThan(160);
  expect(xs[2]! - xs[1]!).toBeGreaterThan(160);
  expect(labelFraction({ fanIn: 1, fanOut: 1 })).toBe(0.5);
  expect(labelFraction({ fanIn: 1, fanOut: 3 })).toBe(0.5);
});

test('a connection with quarantined FlowFiles carries a marker with their count; one without carries none', () => {
  expect(quarantineMarker(4)).toBe('⚠ 4 quarantined');
  expect(quarantineMarker(1)).toBe('⚠ 1 quarantined');
  expect(quarantineMarker(12_500)).toBe('⚠ 12.5k quarantined');
  expect(quarantineMarker(0)).toBeNull();
  // No status yet (a new connection, the event stream not connected): no marker rather than "0".
  expect(quarantineMarker(undefined)).toBeNull();
});

test('labels of connections joining the same two processors are spread along the curve and do not overlap', () => {
  // An UpdateAttribute card above a LogAttribute card as auto-layout places them (110 px apart), its
  // "success" and "failure" handles 128 px apart, both connections into the one input handle.
  const label = { width: 140, height: 36 };
  const target = { x: 135, y: 251 - 8 };
  const handles = [
    { x: 68, y: 146 },
    { x: 196, y: 146 },
  ];
  const boxes = handles.map((source, index) => {
    const t = labelFraction({ fanIn: 1, fanOut: 1, parallel: { index, count: 2 } });
    const at = pointOnConnection(source, target, t);
    return { x: at.x - label.width / 2, y: at.y - label.height / 2 };
  });
  const [a, b] = boxes as [{ x: number; y: number }, { x: number; y: number }];
  const apart = Math.abs(a.x - b.x) >= label.width || Math.abs(a.y - b.y) >= label.height;
  expect(apart).toBe(true);
  // One connection alone stays at the middle; three spread evenly, in order.
  expect(labelFraction({ fanIn: 1, fanOut: 1, parallel: { index: 0, count: 1 } })).toBe(0.5);
  const three = [0, 1, 2].map((index) => labelFraction({ fanIn: 1, fanOut: 1, parallel: { index, count: 3 } }));
  expect(three[0]).toBeLessThan(three[1]!);
  expect(three[1]).toBeLessThan(three[2]!);
  // Converging on a target fed by others too, they stay on the sources' side.
  expect(labelFraction({ fanIn: 2, fanOut: 1, parallel: { index: 1, count: 2 } })).toBeLessThan(0.5);
});
