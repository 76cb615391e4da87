import { describe, expect, test } from 'vitest';
import { mergeFlows } from './flow-merge';

const base = () => ({
  id: 'f',
  name: 'F',
  processors: [
    { id: 'a', type: 'T', position: { x: 0, y: 0 }, config: { n: 1, m: 1 } },
    { id: 'b', type: 'T', position: { x: 0, y: 9 }, config: { n: 1 } },
  ],
  parameterContexts: [
    {
      id: 'p',
      parameters: [
        { name: 'x', value: '1' },
        { name: 'y', value: '1' },
      ],
    },
  ],
});
type B = ReturnType<typeof base>;
const edit = (change: (f: B) => void) => {
  const f = base();
  change(f);
  return f;
};

describe('mergeFlows', () => {
  test('different properties of one component, and different parameters, merge', () => {
    const ours = edit((f) => {
      f.processors[0]!.config.n = 2;
      f.parameterContexts[0]!.parameters[0]!.value = 'ours';
    });
    const theirs = edit((f) => {
      f.processors[0]!.config.m = 3;
      f.parameterContexts[0]!.parameters[1]!.value = 'theirs';
    });
    const { merged, conflicts } = mergeFlows(base(), ours, theirs);
    expect(conflicts).toEqual([]);
    expect(merged).toEqual(
      edit((f) => {
        f.processors[0]!.config = { n: 2, m: 3 };
        f.parameterContexts[0]!.parameters[0]!.value = 'ours';
        f.parameterContexts[0]!.parameters[1]!.value = 'theirs';
      }),
    );
  });

  test('removed on one side and untouched on the other: removed; changed on the other: a conflict', () => {
    const ours = edit((f) => f.processors.splice(1, 1));
    expect(mergeFlows(base(), ours, base()).merged).toEqual(ours);
    const theirs = edit((f) => {
      f.processors[1]!.config.n = 5;
    });
    expect(mergeFlows(base(), ours, theirs).conflicts).toEqual([
      { path: '/processors[b]', ours: undefined, theirs: theirs.processors[1] },
    ]);
  });

  test('a position changed on both sides keeps ours without a conflict', () => {
    const ours = edit((f) => {
      f.processors[0]!.position = { x: 1, y: 1 };
    });
    const theirs = edit((f) => {
      f.processors[0]!.position = { x: 2, y: 2 };
    });
    const result = mergeFlows(base(), ours, theirs);
    expect(result.conflicts).toEqual([]);
    expect(result.keptOurs).toEqual(['/processors[a]/position/x', '/processors[a]/position/y']);
    expect(result.merged).toEqual(ours);
  });

  test('two different components added under one id conflict', () => {
    const ours = edit((f) => f.processors.push({ id: 'c', type: 'T', position: { x: 0, y: 0 }, config: { n: 1 } }));
    const theirs = edit((f) => f.processors.push({ id: 'c', type: 'U', position: { x: 0, y: 0 }, config: { n: 1 } }));
    expect(mergeFlows(base(), ours, theirs).conflicts.map((c) => c.path)).toEqual(['/processors[c]']);
  });
});
