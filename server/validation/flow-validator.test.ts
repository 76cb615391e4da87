import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ensureInternalProcessors } from '../../processors/internal/pass-through';
import { createRegistry } from '../../processors/registry';
import { loadFlowFile } from '../flow-loader';
import { validateFlow } from './flow-validator';

const fixtures = path.resolve(import.meta.dirname, '../../test/fixtures/invalid-flows');
const expected: Record<string, [string, string][]> = JSON.parse(
  readFileSync(path.join(fixtures, 'expected.json'), 'utf8'),
);
const registry = createRegistry();

describe('invalid flow fixtures', () => {
  const files = readdirSync(fixtures).filter((f) => f.endsWith('.json') && f !== 'expected.json');

  test('every fixture has its expected errors listed', () => {
    expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(Object.keys(expected).sort());
  });

  test.each(files)('%s is rejected with path-named errors', async (file) => {
    const check = await loadFlowFile(path.join(fixtures, file), registry);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    for (const [errorPath, message] of expected[file.replace(/\.json$/, '')]!) {
      expect(check.issues).toContainEqual(
        expect.objectContaining({ path: errorPath, message: expect.stringContaining(message) }),
      );
    }
  });
});

describe('valid flows', () => {
  const examples = path.resolve(import.meta.dirname, '../../flows/examples');

  test.each(readdirSync(examples).filter((f) => f.endsWith('.json')))('example %s validates', async (file) => {
    const check = await loadFlowFile(path.join(examples, file), registry);
    expect(check.ok ? [] : check.issues).toEqual([]);
  });

  test('defaults are applied to the resolved copy, not to the flow as given', () => {
    const flow = {
      schemaVersion: 1,
      id: 'f',
      name: 'F',
      processors: [
        { id: 'gen', type: 'GenerateFlowFile' },
        { id: 'log', type: 'LogAttribute', autoTerminate: ['success'] },
      ],
      connections: [{ id: 'c', source: 'gen', relationships: ['success'], target: 'log' }],
    };
    const check = validateFlow(flow, registry);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.flow).toEqual(flow);
    expect(check.flow.connections[0]).not.toHaveProperty('backPressure');
    expect(check.resolved.connections[0]!.backPressure).toEqual({ objects: 10000, bytes: '1 GB' });
    expect(check.resolved.connections[0]!.expiration).toBe('0s');
    expect(check.resolved.processors[0]!.schedule).toEqual({
      period: '0s',
      concurrency: 1,
      penalty: '30s',
      yield: '1s',
      timeout: '5m',
      quarantineAfter: 3,
    });
    expect(check.resolved.processors[0]!.config).toMatchObject({ batchSize: 1, count: 0, content: '' });
  });

  test('a retry loop (a cycle) is allowed', () => {
    const flow = {
      schemaVersion: 1,
      id: 'loop',
      name: 'Loop',
      processors: [
        { id: 'gen', type: 'GenerateFlowFile' },
        { id: 'tag', type: 'UpdateAttribute', autoTerminate: ['success'] },
      ],
      connections: [
        { id: 'in', source: 'gen', relationships: ['success'], target: 'tag' },
        { id: 'retry', source: 'tag', relationships: ['failure'], target: 'tag' },
      ],
    };
    expect(validateFlow(flow, registry)).toMatchObject({ ok: true });
  });

  test('directories outside the allowed roots are rejected', () => {
    const flow = {
      schemaVersion: 1,
      id: 'files',
      name: 'Files',
      processors: [{ id: 'get', type: 'GetFile', config: { directory: '/etc' }, autoTerminate: ['success'] }],
      connections: [],
    };
    const check = validateFlow(flow, registry, { allowedDirs: ['/tmp/sluice-allowed'] });
    expect(check).toMatchObject({ ok: false, issues: [{ path: '/processors/0/config/directory' }] });
  });
});

describe('groups: errors name their JSON path inside the group', () => {
  /** gen → outer(in → inner(in → tag → out) → out) → log: a group inside a group. */
  function nested(): any {
    return {
      schemaVersion: 2,
      id: 'n',
      name: 'N',
      processors: [
        { id: 'gen', type: 'GenerateFlowFile' },
        { id: 'log', type: 'LogAttribute', autoTerminate: ['success'] },
      ],
      connections: [
        { id: 'c1', source: 'gen', relationships: ['success'], target: { group: 'outer', port: 'in' } },
        { id: 'c2', source: { group: 'outer', port: 'out' }, relationships: ['success'], target: 'log' },
      ],
      groups: [
        {
          id: 'outer',
          inputPorts: [{ id: 'in' }],
          outputPorts: [{ id: 'out' }],
          connections: [
            { id: 'c1', source: 'in', relationships: ['success'], target: { group: 'inner', port: 'in' } },
            { id: 'c2', source: { group: 'inner', port: 'out' }, relationships: ['success'], target: 'out' },
          ],
          groups: [
            {
              id: 'inner',
              inputPorts: [{ id: 'in' }],
              outputPorts: [{ id: 'out' }],
              processors: [{ id: 'tag', type: 'UpdateAttribute', autoTerminate: ['failure'] }],
              connections: [
                { id: 'c1', source: 'in', relationships: ['success'], target: 'tag' },
                { id: 'c2', source: 'tag', relationships: ['success'], target: 'out' },
              ],
            },
          ],
        },
      ],
    };
  }
  const inner = (f: any) => f.groups[0].groups[0];
  const issuesOf = (flow: unknown) => {
    const check = validateFlow(flow, registry);
    return check.ok ? [] : check.issues;
  };

  test('the same ids in different groups are fine (ids are unique per group)', () => {
    expect(issuesOf(nested())).toEqual([]);
  });

  test('a config error deep inside', () => {
    const flow = nested();
    inner(flow).processors[0].config = { batchSize: 'many' };
    expect(issuesOf(flow)).toEqual([
      { path: '/groups/0/groups/0/processors/0/config/batchSize', message: 'must be integer' },
    ]);
  });

  test('schema errors inside groups, and an endpoint that is neither an id nor a port', () => {
    const flow = nested();
    inner(flow).processors[0].schedule = { concurrency: 0 };
    inner(flow).inputPorts[0].bogus = true;
    flow.groups[0].connections[0].target = { group: 'inner' };
    flow.connections[1].source = 7;
    expect(issuesOf(flow)).toEqual(
      expect.arrayContaining([
        { path: '/groups/0/groups/0/processors/0/schedule/concurrency', message: 'must be >= 1' },
        { path: '/groups/0/groups/0/inputPorts/0/bogus', message: 'unknown property "bogus"' },
        { path: '/groups/0/connections/0/target', message: 'must have required property "port"' },
        { path: '/connections/1/source', message: 'must be an id or {"group", "port"}' },
      ]),
    );
    expect(issuesOf(flow)).toHaveLength(4);
  });

  test('duplicate ids within one group, whatever they name', () => {
    const flow = nested();
    inner(flow).processors.push({ id: 'tag', type: 'LogAttribute', autoTerminate: ['success'] });
    inner(flow).funnels = [{ id: 'in' }];
    flow.groups[0].labels = [{ id: 'inner', text: 'x' }];
    expect(issuesOf(flow)).toEqual(
      expect.arrayContaining([
        { path: '/groups/0/groups/0/processors/1/id', message: 'duplicate processor id "tag"' },
        { path: '/groups/0/groups/0/funnels/0/id', message: 'duplicate id "in"' },
        { path: '/groups/0/labels/0/id', message: 'duplicate id "inner"' },
      ]),
    );
  });

  test('endpoints: unknown ids, unknown groups and ports, ports used from the wrong side', () => {
    const flow = nested();
    inner(flow).connections[0].target = 'ghost';
    inner(flow).connections[1].source = 'in'; // FlowFiles enter here: fine as a source…
    inner(flow).connections[1].target = 'in'; // …but not as a target inside the group
    flow.groups[0].connections[0].target = { group: 'inner', port: 'out' };
    flow.groups[0].connections[1].source = { group: 'nope', port: 'out' };
    flow.connections[0].target = 'outer';
    flow.connections[1].source = { group: 'outer', port: 'missing' };
    expect(issuesOf(flow)).toEqual(
      expect.arrayContaining([
        {
          path: '/groups/0/groups/0/connections/0/target',
          message: 'no processor, funnel or output port with id "ghost" in this group',
        },
        {
          path: '/groups/0/groups/0/connections/1/target',
          message:
            'input port "in" of this group is where FlowFiles enter the group: it can only be a connection\'s source here',
        },
        {
          path: '/groups/0/connections/0/target/port',
          message:
            '"out" is an output port of group "inner"; a connection into the group must end at one of its input ports (its input ports: in)',
        },
        { path: '/groups/0/connections/1/source/group', message: 'no group with id "nope" in this group' },
        {
          path: '/connections/0/target',
          message: '"outer" is a group: name one of its input ports, {"group": "outer", "port": "..."}',
        },
        {
          path: '/connections/1/source/port',
          message: 'group "outer" has no output port "missing"; its output ports: out',
        },
      ]),
    );
  });

  test('relationships inside groups, and of ports', () => {
    const flow = nested();
    inner(flow).processors[0].autoTerminate = [];
    inner(flow).connections[0].relationships = ['matched'];
    expect(issuesOf(flow)).toEqual([
      {
        path: '/groups/0/groups/0/connections/0/relationships/0',
        message:
          '"matched" is not a relationship of input port "in" of group "inner": ports and funnels have one relationship, "success"',
      },
      {
        path: '/groups/0/groups/0/processors/0',
        message: 'relationship "failure" of processor "tag" is neither connected nor auto-terminated',
      },
    ]);
  });

  test('a port or funnel needs a connection in and a connection out, on the proper side', () => {
    const flow = nested();
    inner(flow).outputPorts.push({ id: 'spare' });
    flow.groups[0].inputPorts.push({ id: 'unused' });
    flow.funnels = [{ id: 'f' }];
    expect(issuesOf(flow)).toEqual([
      { path: '/funnels/0', message: 'funnel "f" has no incoming connection' },
      { path: '/funnels/0', message: 'funnel "f" leads nowhere: connect it to something' },
      {
        path: '/groups/0/inputPorts/1',
        message:
          'input port "unused" of group "outer" has no incoming connection: connect something in the parent group to {"group": "outer", "port": "unused"}',
      },
      {
        path: '/groups/0/inputPorts/1',
        message: 'input port "unused" of group "outer" leads nowhere: connect it to something inside the group',
      },
      {
        path: '/groups/0/groups/0/outputPorts/1',
        message:
          'output port "spare" of group "inner" has no incoming connection: connect something inside the group to it',
      },
      {
        path: '/groups/0/groups/0/outputPorts/1',
        message:
          'output port "spare" of group "inner" leads nowhere: connect {"group": "inner", "port": "spare"} to something in the parent group',
      },
    ]);
  });

  test('processors of internal types cannot be written in a flow', () => {
    ensureInternalProcessors(registry); // as once a flow with ports was loaded
    const flow = nested();
    inner(flow).processors[0].type = '~Funnel';
    const issues = issuesOf(flow);
    expect(issues).toContainEqual({
      path: '/groups/0/groups/0/processors/0/type',
      message: expect.stringMatching(/^unknown processor type "~Funnel"; known types: GenerateFlowFile, /),
    });
    expect(issues[0]!.message).not.toContain('~InputPort'); // the list names the types a flow may use
  });

  test('groups, funnels and labels need schemaVersion 2', () => {
    const flow = { ...nested(), schemaVersion: 1, labels: [{ id: 'l', text: 'x' }] };
    expect(issuesOf(flow)).toEqual([
      { path: '/groups', message: 'groups need "schemaVersion": 2' },
      { path: '/labels', message: 'labels need "schemaVersion": 2' },
    ]);
  });
});

describe('every layer at once: when the schema fails, the checks that can still run run too', () => {
  const flow = (): any => ({
    schemaVersion: 2,
    id: 'all',
    name: 'All layers',
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', config: { batchSize: 0 } },
      { id: 'log', type: 'LogAttribute', autoTerminate: ['success'], schedule: { concurrency: 'lots' } },
    ],
    connections: [{ id: 'c', source: 'gen', relationships: ['success'], target: 'ghost' }],
    groups: [
      {
        id: 'g',
        processors: [
          { id: 'tag', type: 'GenerateFlowFile', autoTerminate: ['success'] },
          { id: 'tag', type: 'LogAttribute', autoTerminate: ['success'] },
        ],
      },
    ],
  });
  const issuesOf = (input: unknown) => {
    const check = validateFlow(input, registry);
    return check.ok ? [] : check.issues;
  };

  test('one schema error, one config error and one graph error are all reported with their paths', () => {
    expect(issuesOf(flow())).toEqual([
      { path: '/processors/1/schedule/concurrency', message: 'must be integer' },
      { path: '/processors/0/config/batchSize', message: 'must be >= 1' },
      { path: '/connections/0/target', message: 'no processor or funnel with id "ghost" in this flow' },
      { path: '/groups/0/processors/1/id', message: 'duplicate processor id "tag"' },
    ]);
  });

  test('the config of a processor that fails the schema is not checked; its id still counts', () => {
    const f = flow();
    f.processors[0].bogus = true;
    const issues = issuesOf(f);
    expect(issues).toContainEqual({ path: '/processors/0/bogus', message: 'unknown property "bogus"' });
    expect(issues.map((i) => i.path)).not.toContain('/processors/0/config/batchSize');
    expect(issues).toContainEqual({
      path: '/connections/0/target',
      message: 'no processor or funnel with id "ghost" in this flow',
    });
  });

  test('endpoints are not resolved against ids that are themselves malformed', () => {
    const f = flow();
    f.connections[0].target = 'log';
    f.processors[1] = { id: 7, type: 'LogAttribute' };
    const issues = issuesOf(f);
    expect(issues).toContainEqual({ path: '/processors/1/id', message: 'must be string' });
    expect(issues.some((i) => i.path.startsWith('/connections/0'))).toBe(false);
  });

  test('malformed documents do not crash the partial checks', () => {
    const shapes: unknown[] = [
      null,
      42,
      'flow',
      [],
      {},
      { processors: 'x', connections: {}, groups: 3 },
      { processors: [null, 1, 'p', [], { id: 'a' }, { id: 'b', type: 5, config: 'c' }] },
      { connections: [null, { id: 'c', source: { group: 1 }, target: { group: 'g', port: 'p' } }], groups: [null, {}] },
      { groups: [{ id: 'g', groups: [{ id: 'h', processors: [{ id: 'x', type: 'LogAttribute', config: null }] }] }] },
      { processors: [{ id: 'a', type: 'NoSuchType' }], connections: [{ id: 'c', source: 'a', target: 'zz' }] },
    ];
    for (const shape of shapes) {
      const check = validateFlow(shape, registry);
      expect(check.ok).toBe(false);
    }
    const unknownType = issuesOf(shapes.at(-1));
    expect(unknownType).toContainEqual({
      path: '/processors/0/type',
      message: expect.stringMatching(/^unknown processor type "NoSuchType"/),
    });
    expect(unknownType).toContainEqual({
      path: '/connections/0/target',
      message: 'no processor with id "zz" in this flow',
    });
  });

  test('a valid flow gives the same result as before', () => {
    const f = flow();
    f.processors[0].config = { batchSize: 1 };
    delete f.processors[1].schedule;
    f.connections[0].target = 'log';
    f.groups[0].processors.pop();
    expect(issuesOf(f)).toEqual([]);
  });
});
