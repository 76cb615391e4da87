import { expect, test } from 'vitest';
import type { Flow } from '../api/types';
import { indexIssues, issuesUnder, pointerSegment, queuedRemovals } from './issues';

const flow: Flow = {
  schemaVersion: 1,
  id: 'f',
  name: 'F',
  processors: [
    { id: 'gen', type: 'GenerateFlowFile' },
    { id: 'log', type: 'LogAttribute' },
  ],
  connections: [{ id: 'c1', source: 'gen', relationships: ['success'], target: 'log' }],
};

test('issues land on the processor or connection their path names, with a relative path', () => {
  const index = indexIssues(flow, [
    { path: '/processors/1/config/batchSize', message: 'must be >= 1' },
    { path: '/processors/1', message: 'relationship "success" is neither connected nor auto-terminated' },
    { path: '/connections/0/backPressure/objects', message: 'must be integer' },
    { path: '/name', message: 'must NOT have fewer than 1 characters' },
    { path: '/processors/7/type', message: 'gone' },
  ]);
  expect(index.count).toBe(5);
  expect(index.processors.log!.map((i) => i.path)).toEqual(['/config/batchSize', '']);
  expect(index.processors.gen).toBeUndefined();
  expect(index.connections.c1).toEqual([
    { path: '/backPressure/objects', message: 'must be integer', fullPath: '/connections/0/backPressure/objects' },
  ]);
  expect(index.flow.map((i) => i.path)).toEqual(['/name', '/processors/7/type']);
});

test('issuesUnder keeps the issues below a prefix, relative to it', () => {
  const index = indexIssues(flow, [
    { path: '/processors/0/config/attributes/a~1b', message: 'bad expression' },
    { path: '/processors/0/configuration', message: 'not under /config' },
    { path: '/processors/0/schedule/period', message: 'must match pattern' },
  ]);
  expect(issuesUnder(index.processors.gen, '/config')).toMatchObject([{ path: '/attributes/a~1b' }]);
  expect(issuesUnder(index.processors.gen, '/schedule')).toMatchObject([{ path: '/period' }]);
  expect(pointerSegment('a/b~c')).toBe('a~1b~0c');
});

test("the connections and counts of the server's 409 for a save that would drop queued FlowFiles", () => {
  const hold = (id: string, n: number) => ({
    path: '/connections',
    message: `connection "${id}" is removed but still holds ${n} FlowFile(s); empty its queue first or keep the connection`,
  });
  expect(queuedRemovals([hold('gen-to-log', 5), hold('a__b', 1200), hold('gen-to-log', 5)])).toEqual([
    { connectionId: 'gen-to-log', count: 5 },
    { connectionId: 'a__b', count: 1200 },
  ]);
  expect(queuedRemovals([{ path: '', message: 'a flow with id "x" already exists' }])).toEqual([]);
  expect(queuedRemovals([])).toEqual([]);
});
