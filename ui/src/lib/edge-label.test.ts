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
