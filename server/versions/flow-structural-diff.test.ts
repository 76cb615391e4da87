import { describe, expect, test } from 'vitest';
import { diffFlowStructure } from './flow-structural-diff';
import { formatStructuralDiff } from './format-diff';

const base = () => ({
  schemaVersion: 2,
  id: 'orders',
  name: 'Orders',
  parameterContexts: [
    {
      id: 'prod',
      parameters: [
        { name: 'greeting', value: 'hello' },
        { name: 'db.password', sensitive: true, value: 'sluice:v1:AAAA' },
      ],
    },
  ],
  processors: [
    {
      id: 'gen',
      type: 'GenerateFlowFile',
      name: 'Generate',
      position: { x: 0, y: 0 },
      config: { content: 'hi', batchSize: 20 },
      schedule: { period: '1s', yield: '1s' },
    },
    { id: 'log', type: 'LogAttribute', position: { x: 0, y: 200 }, autoTerminate: ['success'] },
  ],
  connections: [{ id: 'c1', source: 'gen', relationships: ['success'], target: 'log' }],
  groups: [
    {
      id: 'intake',
      name: 'Intake',
      position: { x: 400, y: 0 },
      processors: [],
      connections: [],
      groups: [
        {
          id: 'checks',
          name: 'Checks',
          processors: [{ id: 'check', type: 'LogAttribute', config: { logLevel: 'info' }, position: { x: 1, y: 2 } }],
          connections: [],
        },
      ],
    },
  ],
});

describe('diffFlowStructure', () => {
  test('equal flows, whatever their key order, give no change', () => {
    const a = base();
    const b = JSON.parse(JSON.stringify(a, Object.keys(a).reverse()));
    expect(diffFlowStructure(a, base())).toEqual({ equal: true, components: [] });
    expect(diffFlowStructure(a, { ...b, ...a }).equal).toBe(true);
  });

  test('a changed processor lists each changed property with old and new value', () => {
    const b = base();
    b.processors[0]!.config!.batchSize = 50;
    b.processors[0]!.schedule!.yield = '5s';
    b.processors[0]!.name = 'Generator';
    const diff = diffFlowStructure(base(), b);
    expect(diff.equal).toBe(false);
    expect(diff.components).toEqual([
      {
        kind: 'processor',
        id: 'gen',
        group: [],
        name: 'Generator',
        change: 'changed',
        position: { x: 0, y: 0 },
        changes: [
          { path: 'name', old: 'Generate', new: 'Generator' },
          { path: 'config.batchSize', old: 20, new: 50 },
          { path: 'schedule.yield', old: '1s', new: '5s' },
        ],
      },
    ]);
    expect(formatStructuralDiff(diff)).toBe(
      '~ processor "gen" (Generator)\n    name: "Generate" → "Generator"\n    config.batchSize: 20 → 50\n    schedule.yield: "1s" → "5s"\n',
    );
  });

  test('added and removed components, and a connection whose relationships changed', () => {
    const b = base();
    b.processors.splice(1, 1);
    b.processors.push({ id: 'put', type: 'PutFile', position: { x: 5, y: 5 }, autoTerminate: ['success'] });
    b.connections[0]!.target = 'put';
    b.connections[0]!.relationships = ['success', 'failure'];
    const diff = diffFlowStructure(base(), b);
    expect(diff.components.map((c) => [c.change, c.kind, c.id])).toEqual([
      ['removed', 'processor', 'log'],
      ['added', 'processor', 'put'],
      ['changed', 'connection', 'c1'],
    ]);
    expect(diff.components[0]!.position).toEqual({ x: 0, y: 200 });
    expect(diff.components[2]!.changes).toEqual([
      { path: 'relationships', old: ['success'], new: ['success', 'failure'] },
      { path: 'target', old: 'log', new: 'put' },
    ]);
    expect(formatStructuralDiff(diff, { color: true })).toContain('\x1b[31m- processor "log"');
  });

  test('a position-only change is "moved", apart from real changes', () => {
    const b = base();
    b.processors[1]!.position = { x: 30, y: 240 };
    b.processors[0]!.position = { x: 9, y: 9 };
    b.processors[0]!.config!.content = 'bye';
    const diff = diffFlowStructure(base(), b);
    expect(diff.components.map((c) => [c.change, c.id])).toEqual([
      ['changed', 'gen'],
      ['moved', 'log'],
    ]);
    expect(diff.components[1]!.changes).toEqual([
      { path: 'position.x', old: 0, new: 30 },
      { path: 'position.y', old: 200, new: 240 },
    ]);
    expect(formatStructuralDiff(diff)).toContain('> processor "log" moved');
  });

  test('nested groups: a change deep inside names its group path; the group itself is unchanged', () => {
    const b = base();
    b.groups[0]!.groups[0]!.processors[0]!.config.logLevel = 'debug';
    b.groups[0]!.groups[0]!.processors.push({
      id: 'more',
      type: 'LogAttribute',
      config: { logLevel: 'info' },
      position: { x: 0, y: 0 },
    });
    b.groups[0]!.name = 'Intake 2';
    const diff = diffFlowStructure(base(), b);
    expect(diff.components.map((c) => [c.change, c.kind, c.group.join('/'), c.id])).toEqual([
      ['changed', 'group', '', 'intake'],
      ['changed', 'processor', 'intake/checks', 'check'],
      ['added', 'processor', 'intake/checks', 'more'],
    ]);
    expect(diff.components[0]!.changes).toEqual([{ path: 'name', old: 'Intake', new: 'Intake 2' }]);
    expect(formatStructuralDiff(diff)).toContain('~ processor "check" in group intake/checks');
  });

  test('a sensitive value shows as changed, never with its values; others show theirs', () => {
    const b = base();
    b.parameterContexts[0]!.parameters[1]!.value = 'sluice:v1:BBBB';
    b.parameterContexts[0]!.parameters[0]!.value = 'bye';
    b.parameterContexts[0]!.parameters.push({ name: 'api.key', sensitive: true, value: 'sluice:v1:CCCC' });
    const diff = diffFlowStructure(base(), b);
    expect(diff.components).toHaveLength(1);
    expect(diff.components[0]).toMatchObject({ kind: 'parameterContext', id: 'prod', change: 'changed' });
    expect(diff.components[0]!.changes).toEqual([
      { path: 'parameters.greeting.value', old: 'hello', new: 'bye' },
      { path: 'parameters.db.password.value', sensitive: true },
      { path: 'parameters.api.key', new: { name: 'api.key', sensitive: true } },
    ]);
    const text = formatStructuralDiff(diff);
    expect(text).toContain('parameters.db.password.value: changed (sensitive)');
    expect(text).not.toMatch(/sluice:v1/);
  });

  test('flow-level properties, and a document that is not a flow, do not throw', () => {
    const diff = diffFlowStructure(base(), { ...base(), name: 'Orders EU' });
    expect(diff.components).toEqual([
      {
        kind: 'flow',
        id: 'orders',
        group: [],
        name: 'Orders EU',
        change: 'changed',
        changes: [{ path: 'name', old: 'Orders', new: 'Orders EU' }],
      },
    ]);
    expect(diffFlowStructure(null, base()).components[0]).toMatchObject({ kind: 'flow', change: 'added' });
  });
});
