import { expect, test } from 'vitest';
import { sortRows } from './pages/data-table';
import { formatRoute, parseRoute } from './routing';

test('parses the canvas, its level of groups and the pages, and writes them back the same', () => {
  expect(parseRoute('#/flows/orders')).toEqual({ page: 'canvas', flowId: 'orders', groups: [] });
  expect(parseRoute('#/flows/orders/groups/intake/checks')).toEqual({
    page: 'canvas',
    flowId: 'orders',
    groups: ['intake', 'checks'],
  });
  expect(parseRoute('#/summary')).toEqual({ page: 'summary' });
  expect(parseRoute('#/bulletins')).toEqual({ page: 'bulletins' });
  for (const hash of ['#/flows/orders', '#/flows/orders/groups/intake/checks', '#/summary', '#/bulletins'])
    expect(formatRoute(parseRoute(hash))).toBe(hash);
});

test('anything else is the canvas of whatever flow is open; odd characters survive the round trip', () => {
  for (const hash of ['', '#', '#/', '#/nowhere', '#/flows', '#/summary/extra'])
    expect(parseRoute(hash)).toEqual({ page: 'canvas', groups: [] });
  expect(formatRoute({ page: 'canvas', groups: [] })).toBe('#/');
  const odd = { page: 'canvas' as const, flowId: 'a b/c', groups: ['x%y'] };
  expect(parseRoute(formatRoute(odd))).toEqual(odd);
  expect(parseRoute('#/flows/%E0%A4%A')).toEqual({ page: 'canvas', flowId: '%E0%A4%A', groups: [] });
});

test('table rows sort by a column, numbers as numbers, either way round', () => {
  const rows = [
    { n: 10, s: 'b' },
    { n: 9, s: 'a' },
    { n: 100, s: 'c' },
  ];
  const byN = { key: 'n', label: 'N', sort: (r: (typeof rows)[number]) => r.n, cell: () => null };
  expect(sortRows(rows, byN, false).map((r) => r.n)).toEqual([9, 10, 100]);
  expect(sortRows(rows, byN, true).map((r) => r.n)).toEqual([100, 10, 9]);
  const byS = { ...byN, sort: (r: (typeof rows)[number]) => r.s };
  expect(sortRows(rows, byS, true).map((r) => r.s)).toEqual(['c', 'b', 'a']);
});
