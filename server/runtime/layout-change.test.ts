import { expect, test } from 'vitest';
import type { Flow } from '../../flows/flow-schema';
import { onlyLayoutChanged } from './layout-change';

const flow: Flow = {
  schemaVersion: 1,
  id: 'f',
  name: 'F',
  processors: [
    { id: 'gen', type: 'GenerateFlowFile', name: 'Gen', position: { x: 0, y: 0 }, config: { count: 5 } },
    { id: 'log', type: 'LogAttribute', position: { x: 0, y: 200 }, autoTerminate: ['success'] },
  ],
  connections: [{ id: 'c', source: 'gen', relationships: ['success'], target: 'log' }],
};

test('moving processors, renaming or describing the flow, and key order are layout only', () => {
  const moved = structuredClone(flow);
  moved.processors[0]!.position = { x: 120, y: -40 };
  delete moved.processors[1]!.position;
  expect(onlyLayoutChanged(flow, moved)).toBe(true);
  expect(onlyLayoutChanged(flow, { ...flow, name: 'Renamed', description: 'now described' })).toBe(true);
  const reordered = Object.fromEntries(Object.entries(structuredClone(flow)).reverse()) as Flow;
  expect(Object.keys(reordered)[0]).toBe('connections');
  expect(onlyLayoutChanged(flow, reordered)).toBe(true);
});

test('anything that runs is a real change: config, schedule, names of processors, connections', () => {
  const changes: ((f: Flow) => void)[] = [
    (f) => {
      f.processors[0]!.config = { count: 6 };
    },
    (f) => {
      f.processors[0]!.schedule = { period: '1s' };
    },
    (f) => {
      f.processors[0]!.name = 'Generator';
    },
    (f) => {
      f.processors[1]!.autoTerminate = [];
    },
    (f) => {
      f.connections[0]!.backPressure = { objects: 5 };
    },
    (f) => {
      f.processors.pop();
    },
  ];
  for (const change of changes) {
    const next = structuredClone(flow);
    change(next);
    expect(onlyLayoutChanged(flow, next)).toBe(false);
  }
  // A stored definition that is not a flow object at all is never "the same".
  expect(onlyLayoutChanged('garbage', flow)).toBe(false);
});
