import { expect, test } from 'vitest';
import type { ProcessorNode } from '../flow-mapping';
import { CARD_HEIGHT, CARD_WIDTH, estimateCard, storeNodeOf, withEstimate } from './estimated-node';

const node = (id: string): ProcessorNode => ({
  id,
  type: 'processor',
  position: { x: 0, y: 0 },
  data: { spec: { id, type: 'UpdateAttribute', config: {} } },
});

test('a card is estimated with its input at the top centre and one handle per relationship, left to right', () => {
  const { width, height, handles } = estimateCard(['success', 'failure']);
  expect(width).toBe(CARD_WIDTH);
  expect(height).toBe(CARD_HEIGHT);
  expect(handles.map((h) => [h.id, h.type])).toEqual([
    ['in', 'target'],
    ['success', 'source'],
    ['failure', 'source'],
  ]);
  const [input, success, failure] = handles;
  expect(input!.x + input!.width! / 2).toBe(width / 2);
  expect(success!.x).toBeLessThan(failure!.x);
  for (const h of handles) expect(h.x).toBeGreaterThanOrEqual(0);
  for (const h of handles) expect(h.x + h.width!).toBeLessThanOrEqual(width);
  // Many relationships widen the card, as its CSS does.
  expect(estimateCard(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'unmatched', 'failure']).width).toBeGreaterThan(
    CARD_WIDTH,
  );
});

test('an unmeasured node gets one estimated copy; a measured one goes as it is', () => {
  const a = node('a');
  const copy = withEstimate(a, () => ['success', 'failure']);
  expect(copy).not.toBe(a);
  expect(withEstimate(a, () => [])).toBe(copy);
  // Never a whole pixel, so React Flow always reports the real size.
  expect(Number.isInteger(copy.measured!.width)).toBe(false);
  expect(copy.handles!.map((h) => h.id)).toEqual(['in', 'success', 'failure']);
  expect(storeNodeOf(copy)).toBe(a);
  expect(storeNodeOf(a)).toBe(a);
  const measured = { ...a, measured: { width: 270, height: 141 } };
  expect(withEstimate(measured, () => [])).toBe(measured);
});
