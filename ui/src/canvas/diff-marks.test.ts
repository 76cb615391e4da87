import { describe, expect, test } from 'vitest';
import type { FlowStructuralDiff } from '../api/types';
import { diffMarks } from './diff-marks';

const diff: FlowStructuralDiff = {
  equal: false,
  components: [
    {
      kind: 'processor',
      id: 'gen',
      group: [],
      change: 'changed',
      changes: [{ path: 'config.batchSize', old: 1, new: 2 }],
    },
    { kind: 'processor', id: 'new', group: [], change: 'added', position: { x: 1, y: 1 } },
    { kind: 'processor', id: 'gone', group: [], change: 'removed', position: { x: 5, y: 6 } },
    { kind: 'label', id: 'note', group: [], change: 'moved', changes: [{ path: 'position.x', old: 0, new: 1 }] },
    { kind: 'processor', id: 'deep', group: ['g', 'h'], change: 'changed', changes: [] },
    { kind: 'connection', id: 'c1', group: [], change: 'changed', changes: [] },
  ],
};

const nodes = [
  { id: 'gen', type: 'processor' },
  { id: 'new', type: 'processor' },
  { id: 'note', type: 'label' },
  { id: 'g', type: 'processGroup' },
  { id: 'same', type: 'processor' },
];

describe('diffMarks', () => {
  test('marks the level shown: added, changed, moved, a group holding a change; ghosts for removed ones', () => {
    const marks = diffMarks(diff, [], nodes);
    expect([...marks.nodes].map(([id, m]) => [id, m.mark])).toEqual([
      ['gen', 'changed'],
      ['new', 'added'],
      ['note', 'moved'],
      ['g', 'changed'],
    ]);
    expect(marks.ghosts.map((g) => [g.id, g.position])).toEqual([['gone', { x: 5, y: 6 }]]);
  });

  test('inside a group only that level counts; no diff marks nothing', () => {
    expect([...diffMarks(diff, ['g', 'h'], [{ id: 'deep', type: 'processor' }]).nodes.keys()]).toEqual(['deep']);
    expect(diffMarks(diff, ['g'], [{ id: 'gen', type: 'processor' }]).nodes.size).toBe(0);
    expect(diffMarks(null, [], nodes)).toEqual({ nodes: new Map(), ghosts: [] });
  });
});
