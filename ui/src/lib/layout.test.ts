import { expect, test } from 'vitest';
import { layoutGraph } from './layout';

const box = (id: string) => ({ id, width: 200, height: 100 });

test('a chain is laid out top to bottom, and siblings side by side without overlap', () => {
  const pos = layoutGraph(
    [box('gen'), box('route'), box('a'), box('b')],
    [
      { source: 'gen', target: 'route' },
      { source: 'route', target: 'a' },
      { source: 'route', target: 'b' },
    ],
  );
  expect(pos.route!.y).toBeGreaterThan(pos.gen!.y + 100);
  expect(pos.a!.y).toBe(pos.b!.y);
  expect(Math.abs(pos.a!.x - pos.b!.x)).toBeGreaterThanOrEqual(200);
});

test('left to right, cycles and self-loops do not break it', () => {
  const pos = layoutGraph(
    [box('x'), box('y')],
    [
      { source: 'x', target: 'y' },
      { source: 'y', target: 'x' },
      { source: 'x', target: 'x' },
    ],
    { direction: 'LR' },
  );
  expect(pos.x!.x).not.toBe(pos.y!.x);
  expect(Number.isInteger(pos.x!.x)).toBe(true);
});
