import { expect, test } from 'vitest';
import type { QueueEdge } from '../flow-mapping';
import { edgeIndex, fanOutKey } from './edge-index';

const edge = (id: string, source: string, rel: string, target: string): QueueEdge => ({
  id,
  type: 'queue',
  source,
  target,
  sourceHandle: rel,
  targetHandle: 'in',
  data: { spec: { id, relationships: [rel] } },
});

test('fan-in, fan-out, parallel connections and used relationships, once per edges array', () => {
  const edges = [
    edge('a-ok', 'a', 'success', 'c'),
    edge('a-bad', 'a', 'failure', 'c'),
    edge('b-ok', 'b', 'success', 'c'),
    edge('b-ok-2', 'b', 'success', 'd'),
  ];
  const index = edgeIndex(edges);
  expect(edgeIndex(edges)).toBe(index);
  expect(index.fanIn.get('c')).toBe(2);
  expect(index.fanIn.get('d')).toBe(1);
  expect(index.fanOut.get(fanOutKey('b', 'success'))).toBe(2);
  expect(index.fanOut.get(fanOutKey('a', 'success'))).toBe(1);
  expect(index.parallel.get('a-ok')).toEqual({ index: 0, count: 2 });
  expect(index.parallel.get('a-bad')).toEqual({ index: 1, count: 2 });
  expect(index.parallel.get('b-ok')).toEqual({ index: 0, count: 1 });
  expect(index.relationshipsFrom.get('a')).toEqual(['success', 'failure']);
  // A new array (the store replaced it) is indexed afresh.
  expect(edgeIndex([...edges])).not.toBe(index);
});
