import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { flowSchema } from '../../flows/flow-schema';
import { FUNNEL_TYPE, INPUT_PORT_TYPE, OUTPUT_PORT_TYPE } from '../../processors/internal/pass-through';
import { createRegistry } from '../../processors/registry';
import { createAjv } from './ajv';
import { globalId } from './flatten-groups';
import { validateFlow } from './flow-validator';

const registry = createRegistry();
const examples = path.resolve(import.meta.dirname, '../../flows/examples');

function valid(flow: unknown) {
  const check = validateFlow(flow, registry);
  if (!check.ok) throw new Error(JSON.stringify(check.issues, null, 2));
  return check;
}

/** gen → enrich(in → tag → out) → f1 → log: one group, one funnel. */
function grouped(): any {
  return {
    schemaVersion: 2,
    id: 'orders',
    name: 'Orders',
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', config: { count: 3 } },
      { id: 'log', type: 'LogAttribute', name: 'Log', autoTerminate: ['success'] },
    ],
    connections: [
      { id: 'c1', source: 'gen', relationships: ['success'], target: { group: 'enrich', port: 'in' } },
      { id: 'c2', source: { group: 'enrich', port: 'out' }, relationships: ['success'], target: 'f1' },
      { id: 'c3', source: 'f1', relationships: ['success'], target: 'log', backPressure: { objects: 5 } },
    ],
    funnels: [{ id: 'f1', position: { x: 0, y: 0 } }],
    groups: [
      {
        id: 'enrich',
        inputPorts: [{ id: 'in', name: 'orders in' }],
        outputPorts: [{ id: 'out' }],
        processors: [{ id: 'tag', type: 'UpdateAttribute', autoTerminate: ['failure'] }],
        connections: [
          { id: 'a', source: 'in', relationships: ['success'], target: 'tag' },
          { id: 'b', source: 'tag', relationships: ['success'], target: 'out' },
        ],
      },
    ],
  };
}

describe('global ids', () => {
  test('top-level ids stay; nested ones are their group ids and their own id joined by "__"', () => {
    expect(globalId([], 'gen')).toBe('gen');
    expect(globalId(['enrich', 'rules'], 'c1')).toBe('enrich__rules__c1');
  });

  test('a group becomes processors and connections under global ids, ports and funnels pass-through processors', () => {
    const { resolved, origins } = valid(grouped());
    expect(resolved.processors.map((p) => [p.id, p.type])).toEqual([
      ['gen', 'GenerateFlowFile'],
      ['log', 'LogAttribute'],
      ['f1', FUNNEL_TYPE],
      ['enrich__tag', 'UpdateAttribute'],
      ['enrich__in', INPUT_PORT_TYPE],
      ['enrich__out', OUTPUT_PORT_TYPE],
    ]);
    expect(resolved.connections.map((c) => [c.id, c.source, c.relationships, c.target])).toEqual([
      ['c1', 'gen', ['success'], 'enrich__in'],
      ['c2', 'enrich__out', ['success'], 'f1'],
      ['c3', 'f1', ['success'], 'log'],
      ['enrich__a', 'enrich__in', ['success'], 'enrich__tag'],
      ['enrich__b', 'enrich__tag', ['success'], 'enrich__out'],
    ]);
    // Defaults reach inside groups; the connections keep their settings.
    expect(resolved.connections[2]!.backPressure).toEqual({ objects: 5, bytes: '1 GB' });
    expect(resolved.connections[3]!.backPressure).toEqual({ objects: 10000, bytes: '1 GB' });
    expect(resolved.processors[3]!.config).toMatchObject({ batchSize: 100 });
    // A port runs under its name, with the default schedule and nothing of its own to configure.
    expect(resolved.processors[4]).toMatchObject({ name: 'orders in', config: {}, autoTerminate: [], disabled: false });
    expect(resolved.processors[4]!.schedule).toEqual(resolved.processors[0]!.schedule);
    expect(resolved).not.toHaveProperty('groups');
    expect(resolved).not.toHaveProperty('funnels');
    expect(origins).toEqual({
      gen: { kind: 'processor', path: '/processors/0', groups: [], id: 'gen' },
      log: { kind: 'processor', path: '/processors/1', groups: [], id: 'log' },
      f1: { kind: 'funnel', path: '/funnels/0', groups: [], id: 'f1' },
      c1: { kind: 'connection', path: '/connections/0', groups: [], id: 'c1' },
      c2: { kind: 'connection', path: '/connections/1', groups: [], id: 'c2' },
      c3: { kind: 'connection', path: '/connections/2', groups: [], id: 'c3' },
      enrich__tag: { kind: 'processor', path: '/groups/0/processors/0', groups: ['enrich'], id: 'tag' },
      enrich__in: { kind: 'inputPort', path: '/groups/0/inputPorts/0', groups: ['enrich'], id: 'in' },
      enrich__out: { kind: 'outputPort', path: '/groups/0/outputPorts/0', groups: ['enrich'], id: 'out' },
      enrich__a: { kind: 'connection', path: '/groups/0/connections/0', groups: ['enrich'], id: 'a' },
      enrich__b: { kind: 'connection', path: '/groups/0/connections/1', groups: ['enrich'], id: 'b' },
    });
  });

  test('the flattened flow uses only ids a NATS subject token and the id pattern accept', () => {
    const check = valid(JSON.parse(readFileSync(path.join(examples, 'nested-groups.json'), 'utf8')));
    const ids = [...check.resolved.processors, ...check.resolved.connections].map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);
    expect(ids).toContain('intake__checks__pricing__price');
    for (const [id, origin] of Object.entries(check.origins)) expect(globalId(origin.groups, origin.id)).toBe(id);
  });

  test('the resolved flow is a flat flow: a valid document of its own, every endpoint an id', () => {
    const check = valid(grouped());
    expect(createAjv().compile(flowSchema)(check.resolved)).toBe(true);
    for (const c of check.resolved.connections) {
      expect(typeof c.source).toBe('string');
      expect(typeof c.target).toBe('string');
    }
  });
});

describe('flows without groups resolve as they always did', () => {
  test.each(['fan-out.json', 'route-orders.json', 'hello-log.json', 'csv-orders-to-json-lines.json'])(
    '%s: resolved is the flow with its defaults, same ids, same order',
    (file) => {
      const flow = JSON.parse(readFileSync(path.join(examples, file), 'utf8'));
      const check = valid(flow);
      // What validateFlow returned before groups: the flow with every default applied, nothing else.
      const expected = structuredClone(flow);
      createAjv({ useDefaults: true }).compile(flowSchema)(expected);
      for (const p of expected.processors) p.config = registry.checkConfig(p.type, p.config).config;
      expected.services = []; // a resolved flow always lists its services (none here)
      expect(check.resolved).toEqual(expected);
      expect(Object.keys(check.resolved)).toEqual(Object.keys(expected));
      expect(Object.keys(check.origins)).toEqual([
        ...flow.processors.map((p: { id: string }) => p.id),
        ...flow.connections.map((c: { id: string }) => c.id),
      ]);
    },
  );

  test('a version 2 flow with labels only runs the same flow (labels are not run)', () => {
    const flow = JSON.parse(readFileSync(path.join(examples, 'fan-out.json'), 'utf8'));
    const v2 = { ...flow, schemaVersion: 2, labels: [{ id: 'note', text: 'hello' }] };
    expect(valid(v2).resolved).toEqual({ ...valid(flow).resolved, schemaVersion: 2 });
  });
});

describe('what only the flattened flow shows', () => {
  test('two components meeting under one global id are named at the nested one', () => {
    const flow = grouped();
    // A top-level processor named like the flattened id of the processor "tag" of group "enrich".
    flow.processors.push({ id: 'enrich__tag', type: 'LogAttribute', autoTerminate: ['success'] });
    flow.connections.push({ id: 'c4', source: 'gen', relationships: ['success'], target: 'enrich__tag' });
    const check = validateFlow(flow, registry);
    expect(check).toEqual({
      ok: false,
      issues: [
        {
          path: '/groups/0/processors/0/id',
          message:
            'processor "tag" of group "enrich" becomes "enrich__tag" when the groups are flattened, which processor "enrich__tag" (/processors/2) already is; rename one of them',
        },
      ],
    });
  });

  test('a global id longer than an id may be is refused at the component', () => {
    const flow = grouped();
    const long = 'x'.repeat(60);
    flow.groups[0]!.processors[0]!.id = long;
    flow.groups[0]!.connections[0]!.target = long;
    flow.groups[0]!.connections[1]!.source = long;
    const check = validateFlow(flow, registry);
    expect(check).toMatchObject({
      ok: false,
      issues: [{ path: '/groups/0/processors/0/id', message: expect.stringContaining('longer than 64 characters') }],
    });
  });

  test('connections through funnels and ports alone must not form a loop', () => {
    const flow = grouped();
    flow.funnels.push({ id: 'f2', position: { x: 0, y: 0 } });
    flow.connections.push(
      { id: 'c5', source: 'f1', relationships: ['success'], target: 'f2' },
      { id: 'c6', source: 'f2', relationships: ['success'], target: 'f1' },
    );
    expect(validateFlow(flow, registry)).toEqual({
      ok: false,
      issues: [
        {
          path: '/connections/4',
          message:
            'connections through ports and funnels alone form a loop (funnel "f1" → funnel "f2" → funnel "f1"): FlowFiles would circle in it forever; put a processor in the loop',
        },
      ],
    });
    // Through a processor, a loop is a retry loop, as before: tag's failures go back to it through a funnel.
    const retry = grouped();
    retry.groups[0]!.processors[0]!.autoTerminate = [];
    retry.groups[0]!.funnels = [{ id: 'back' }];
    retry.groups[0]!.connections.push(
      { id: 'retry', source: 'tag', relationships: ['failure'], target: 'back' },
      { id: 'again', source: 'back', relationships: ['success'], target: 'tag' },
    );
    expect(validateFlow(retry, registry)).toMatchObject({ ok: true });
  });
});

describe('fuzz', () => {
  /** Every (container, key) in a JSON tree. */
  function slots(value: unknown): { parent: any; key: string | number }[] {
    const out: { parent: any; key: string | number }[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node))
        node.forEach((child, i) => {
          out.push({ parent: node, key: i });
          walk(child);
        });
      else if (node && typeof node === 'object')
        for (const [k, child] of Object.entries(node)) {
          out.push({ parent: node, key: k });
          walk(child);
        }
    };
    walk(value);
    return out;
  }

  test('an edited nested flow is refused with issues or resolves to a consistent flat flow, never throws', () => {
    const bases = [grouped(), JSON.parse(readFileSync(path.join(examples, 'nested-groups.json'), 'utf8'))];
    // Values that make sense somewhere in a nested flow, so edits often stay valid.
    const values = fc.oneof(
      fc.constantFrom('in', 'out', 'f1', 'tag', 'enrich', 'success', 'failure', 'x__y', 'enrich__tag'),
      fc.constantFrom({ group: 'enrich', port: 'in' }, { group: 'checks', port: 'valid' }, { group: 'x' }),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const edit = fc.record({ at: fc.nat(), op: fc.constantFrom('set', 'delete', 'duplicate'), value: values });
    fc.assert(
      fc.property(fc.constantFrom(...bases), fc.array(edit, { minLength: 1, maxLength: 3 }), (base, edits) => {
        const flow = structuredClone(base);
        for (const e of edits) {
          const all = slots(flow);
          const { parent, key } = all[e.at % all.length]!;
          if (e.op === 'set') parent[key] = structuredClone(e.value);
          else if (e.op === 'delete') Array.isArray(parent) ? parent.splice(key as number, 1) : delete parent[key];
          else if (Array.isArray(parent)) parent.push(structuredClone(parent[key as number]));
        }
        const check = validateFlow(flow, registry);
        if (!check.ok) {
          expect(check.issues.length).toBeGreaterThan(0);
          return;
        }
        const ids = new Set(check.resolved.processors.map((p) => p.id));
        expect(ids.size).toBe(check.resolved.processors.length);
        for (const c of check.resolved.connections) {
          expect(ids.has(c.source) && ids.has(c.target)).toBe(true);
          expect(c.id).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
