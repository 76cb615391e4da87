/**
 * Services in validation: types and configs (after parameter substitution, sensitive rules), references from
 * processors and services resolved nearest group first and checked for kind, disabled services, cycles, and
 * the global ids the engine sees.
 */
import { describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { defineProcessor } from '../engine/contract';
import { validateFlow } from '../validation/flow-validator';
import { defineService, serviceReference } from './service-contract';

const Pool = defineService({
  type: 'TestPool',
  description: 'A pool.',
  provides: ['test-pool'],
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      size: { type: 'integer', minimum: 1, default: 1, description: 'Size.' },
      password: { type: 'string', default: '', 'x-sensitive': true, description: 'Secret.' },
      uses: serviceReference('test-pool', 'Another pool this one draws from.'),
    },
  },
  enable: (config) => config,
});

const Other = defineService({
  type: 'TestOther',
  description: 'Something else.',
  provides: ['other-kind'],
  config: { type: 'object', additionalProperties: false, properties: {} },
  enable: () => ({}),
});

const User = defineProcessor({
  type: 'TestPoolUser',
  category: 'source',
  description: 'References a pool.',
  input: 'forbidden',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      pool: serviceReference('test-pool', 'The pool.'),
      nested: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: { pools: { type: 'array', items: serviceReference('test-pool', 'A pool.'), default: [] } },
        description: 'Deeper references.',
      },
    },
  },
  relationships: [],
  onTrigger() {},
});

const registry = createRegistry([User], [Pool, Other]);

const user = (id: string, config: object, extra: object = {}) => ({ id, type: 'TestPoolUser', config, ...extra });

function flow(extra: Record<string, unknown>) {
  return { schemaVersion: 2, id: 'svc', name: 'Services', processors: [], connections: [], ...extra };
}

function issues(input: unknown) {
  const check = validateFlow(input, registry, { registerSecrets: false });
  return check.ok ? [] : check.issues;
}

function resolved(input: unknown) {
  const check = validateFlow(input, registry, { registerSecrets: false });
  if (!check.ok) throw new Error(JSON.stringify(check.issues, null, 2));
  return check.resolved;
}

describe('service references', () => {
  test('resolve nearest group first, up to the flow, and are rewritten to global ids', () => {
    const r = resolved(
      flow({
        services: [{ id: 'pool', type: 'TestPool', config: { size: 1 } }],
        processors: [user('top', { pool: { service: 'pool' } })],
        groups: [
          {
            id: 'g',
            services: [{ id: 'pool', type: 'TestPool', config: { size: 2 } }],
            processors: [user('inner', { pool: { service: 'pool' }, nested: { pools: [{ service: 'pool' }] } })],
            groups: [{ id: 'h', processors: [user('deeper', { pool: { service: 'pool' } })] }],
          },
          { id: 'k', processors: [user('sibling', { pool: { service: 'pool' } })] },
        ],
      }),
    );
    const config = (id: string) => r.processors.find((p) => p.id === id)!.config;
    expect(config('top')).toEqual({ pool: { service: 'pool' }, nested: { pools: [] } });
    expect(config('g__inner')).toEqual({ pool: { service: 'g__pool' }, nested: { pools: [{ service: 'g__pool' }] } });
    expect(config('g__h__deeper').pool).toEqual({ service: 'g__pool' });
    expect(config('k__sibling').pool).toEqual({ service: 'pool' });
    expect(r.services.map((s) => [s.id, s.config.size, s.enabled])).toEqual([
      ['pool', 1, true],
      ['g__pool', 2, true],
    ]);
  });

  test('a service of another branch or a child group is not in scope', () => {
    expect(
      issues(
        flow({
          processors: [user('top', { pool: { service: 'pool' } })],
          groups: [
            { id: 'g', services: [{ id: 'pool', type: 'TestPool' }] },
            { id: 'k', processors: [user('sibling', { pool: { service: 'pool' } })] },
          ],
        }),
      ),
    ).toEqual([
      { path: '/processors/0/config/pool', message: 'service "pool" is not defined in this group or above' },
      { path: '/groups/1/processors/0/config/pool', message: 'service "pool" is not defined in this group or above' },
    ]);
  });

  test('a service of the wrong kind is named with its type', () => {
    expect(
      issues(
        flow({
          services: [{ id: 'x', type: 'TestOther' }],
          processors: [user('p', { nested: { pools: [{ service: 'x' }] } })],
        }),
      ),
    ).toEqual([
      { path: '/processors/0/config/nested/pools/0', message: 'service "x" is a TestOther, not a test-pool' },
    ]);
  });

  test('an enabled processor may not reference a disabled service; a disabled processor may', () => {
    const services = [{ id: 'rabbit', type: 'TestPool', enabled: false }];
    expect(issues(flow({ services, processors: [user('publish', { pool: { service: 'rabbit' } })] }))).toEqual([
      {
        path: '/processors/0/config/pool',
        message: 'processor "publish" references disabled service "rabbit": enable it or disable the processor',
      },
    ]);
    expect(
      issues(flow({ services, processors: [user('publish', { pool: { service: 'rabbit' } }, { disabled: true })] })),
    ).toEqual([]);
  });

  test('services referencing each other in a cycle are an issue; a chain is fine', () => {
    expect(
      issues(
        flow({
          services: [
            { id: 'a', type: 'TestPool', config: { uses: { service: 'b' } } },
            { id: 'b', type: 'TestPool', config: { uses: { service: 'a' } } },
            { id: 'self', type: 'TestPool', config: { uses: { service: 'self' } } },
          ],
        }),
      ),
    ).toEqual([
      {
        path: '/services/1/config/uses',
        message: 'services reference each other in a cycle ("a" → "b" → "a"): none of them could be enabled first',
      },
      {
        path: '/services/2/config/uses',
        message: 'services reference each other in a cycle ("self" → "self"): none of them could be enabled first',
      },
    ]);
    const r = resolved(
      flow({
        services: [{ id: 'base', type: 'TestPool' }],
        groups: [{ id: 'g', services: [{ id: 'top', type: 'TestPool', config: { uses: { service: 'base' } } }] }],
      }),
    );
    expect(r.services.find((s) => s.id === 'g__top')!.config.uses).toEqual({ service: 'base' });
  });

  test('an enabled service may not reference a disabled one', () => {
    expect(
      issues(
        flow({
          services: [
            { id: 'base', type: 'TestPool', enabled: false },
            { id: 'top', type: 'TestPool', config: { uses: { service: 'base' } } },
          ],
        }),
      ),
    ).toEqual([
      {
        path: '/services/1/config/uses',
        message: 'service "top" references disabled service "base": enable it or disable this service',
      },
    ]);
  });
});

describe('service definitions', () => {
  test('unknown type, invalid config and duplicate ids are issues at their paths', () => {
    const found = issues(
      flow({
        services: [
          { id: 'a', type: 'Nope' },
          { id: 'b', type: 'TestPool', config: { size: 0, extra: 1 } },
          { id: 'gen', type: 'TestOther' },
        ],
        processors: [{ id: 'gen', type: 'GenerateFlowFile', autoTerminate: ['success'] }],
      }),
    );
    expect(found).toContainEqual({ path: '/services/2/id', message: 'duplicate id "gen"' });
    expect(found).toContainEqual(
      expect.objectContaining({
        path: '/services/0/type',
        message: expect.stringMatching(/^unknown service type "Nope"; known types: .*HttpClient/),
      }),
    );
    expect(found).toContainEqual({ path: '/services/1/config/size', message: 'must be >= 1' });
    expect(found).toContainEqual({ path: '/services/1/config/extra', message: 'unknown property "extra"' });
  });

  test('the config is checked after parameter substitution; sensitive properties take only sensitive references', () => {
    const contexts = [
      {
        id: 'dev',
        parameters: [
          { name: 'size', value: '3' },
          { name: 'pw', value: 'hunter22', sensitive: true },
          { name: 'plain', value: 'open' },
        ],
      },
    ];
    const r = resolved(
      flow({
        parameterContexts: contexts,
        parameterContext: 'dev',
        services: [{ id: 'p', type: 'TestPool', config: { size: '#{size}', password: '#{pw}' } }],
      }),
    );
    expect(r.services[0]!.config).toEqual({ size: 3, password: 'hunter22' });
    expect(
      issues(
        flow({
          parameterContexts: contexts,
          parameterContext: 'dev',
          services: [{ id: 'p', type: 'TestPool', config: { size: '#{nope}', password: '#{plain}' } }],
        }),
      ).map((i) => i.path),
    ).toEqual(['/services/0/config/size', '/services/0/config/password']);
  });

  test('services need schemaVersion 2', () => {
    expect(issues({ ...flow({ services: [] }), schemaVersion: 1 })).toEqual([
      { path: '/services', message: 'services need "schemaVersion": 2' },
    ]);
  });

  test('a schema-invalid flow still names the problems of its well-formed services', () => {
    const found = issues(flow({ processors: 'nope', services: [{ id: 'a', type: 'TestPool', config: { size: 0 } }] }));
    expect(found).toContainEqual({ path: '/services/0/config/size', message: 'must be >= 1' });
  });
});
