/** Parameter contexts through validateFlow: scopes, inheritance, bindings, overrides, what runs and what is kept. */
import { describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { validateFlow } from '../validation/flow-validator';
import { buildParameterScope } from './parameter-scope';

const registry = createRegistry();

const gen = (id: string, config: Record<string, unknown>) => ({
  id,
  type: 'GenerateFlowFile',
  config,
  autoTerminate: ['success'],
});

function flow(extra: Record<string, unknown>) {
  return { schemaVersion: 2, id: 'p', name: 'Parameters', processors: [], connections: [], ...extra };
}

function resolvedConfigs(input: unknown, options = {}) {
  const check = validateFlow(input, registry, options);
  if (!check.ok) throw new Error(JSON.stringify(check.issues, null, 2));
  return Object.fromEntries(check.resolved.processors.map((p) => [p.id, p.config as Record<string, unknown>]));
}

function issuesOf(input: unknown, options = {}) {
  const check = validateFlow(input, registry, options);
  return check.ok ? [] : check.issues;
}

describe('inheritance', () => {
  const contexts = [
    {
      id: 'base',
      parameters: [
        { name: 'a', value: 'base-a' },
        { name: 'b', value: 'base-b' },
        { name: 'c', value: 'base-c' },
      ],
    },
    { id: 'mid', inherits: ['base'], parameters: [{ name: 'b', value: 'mid-b' }] },
    {
      id: 'other',
      parameters: [
        { name: 'a', value: 'other-a' },
        { name: 'c', value: 'other-c' },
      ],
    },
    // Own first; then "mid" (with what it inherits: base) before "other".
    { id: 'top', inherits: ['mid', 'other'], parameters: [{ name: 'a', value: 'top-a' }] },
  ];

  test('own parameters win, then the inherited contexts in order, each with what it inherits', () => {
    const configs = resolvedConfigs(
      flow({
        parameterContexts: contexts,
        parameterContext: 'top',
        processors: [gen('g', { content: '#{a} #{b} #{c}', count: 1 })],
      }),
    );
    expect(configs.g!.content).toBe('top-a mid-b base-c');
  });

  test('a cycle is an issue at the inherits entry that closes it; an unknown context too', () => {
    const issues = issuesOf(
      flow({
        parameterContexts: [
          { id: 'x', inherits: ['y'], parameters: [{ name: 'n', value: '1' }] },
          { id: 'y', inherits: ['z', 'x'] },
          { id: 'z', inherits: ['nowhere'] },
        ],
        parameterContext: 'y',
        processors: [gen('g', { content: '#{n}', count: 1 })],
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: '/parameterContexts/1/inherits/1', message: expect.stringContaining('makes a cycle') },
        {
          path: '/parameterContexts/2/inherits/0',
          message: 'no parameter context "nowhere"; the flow defines: x, y, z',
        },
      ]),
    );
    // "y" still sees what it inherits through "x": no cascade of "not defined".
    expect(issues.filter((i) => i.path.startsWith('/processors'))).toEqual([]);
  });

  test('duplicate context ids and parameter names are named', () => {
    const issues = issuesOf(
      flow({
        parameterContexts: [
          {
            id: 'a',
            parameters: [
              { name: 'n', value: '1' },
              { name: 'n', value: '2' },
            ],
          },
          { id: 'a', parameters: [] },
        ],
      }),
    );
    expect(issues).toEqual([
      { path: '/parameterContexts/0/parameters/1/name', message: 'duplicate parameter "n" in context "a"' },
      { path: '/parameterContexts/1/id', message: 'duplicate parameter context id "a"' },
    ]);
  });
});

describe('bindings of groups', () => {
  const nested = () =>
    flow({
      parameterContexts: [
        { id: 'outer', parameters: [{ name: 'who', value: 'outer' }] },
        { id: 'inner', parameters: [{ name: 'who', value: 'inner' }] },
      ],
      parameterContext: 'outer',
      processors: [gen('top', { content: '#{who}', count: 1 })],
      groups: [
        {
          id: 'g1',
          processors: [gen('p', { content: '#{who}', count: 1 })],
          groups: [
            {
              id: 'g2',
              parameterContext: 'inner',
              processors: [gen('p', { content: '#{who}', count: 1 })],
              groups: [{ id: 'g3', processors: [gen('p', { content: '#{who}', count: 1 })] }],
            },
          ],
        },
      ],
    });

  test("a group without a binding uses its parent's; a binding applies to its groups below", () => {
    const configs = resolvedConfigs(nested());
    expect(configs.top!.content).toBe('outer');
    expect(configs.g1__p!.content).toBe('outer');
    expect(configs.g1__g2__p!.content).toBe('inner');
    expect(configs.g1__g2__g3__p!.content).toBe('inner');
  });

  test('an unknown parameter is an issue at the property, naming the context and where it is bound', () => {
    const f = nested() as any;
    f.groups[0].groups[0].groups[0].processors[0].config.content = 'x #{missing}';
    expect(issuesOf(f)).toEqual([
      {
        path: '/groups/0/groups/0/groups/0/processors/0/config/content',
        message: 'parameter "missing" is not defined in context "inner" (bound at /groups/0/groups/0/parameterContext)',
      },
    ]);
  });

  test('a binding to an unknown context, and references with no context bound', () => {
    const f = flow({
      parameterContexts: [{ id: 'dev', parameters: [] }],
      processors: [gen('a', { content: '#{x}', count: 1 })],
      groups: [{ id: 'g', parameterContext: 'prod', processors: [gen('b', { content: '#{x}', count: 1 })] }],
    });
    expect(issuesOf(f)).toEqual([
      { path: '/groups/0/parameterContext', message: 'no parameter context "prod"; the flow defines: dev' },
      {
        path: '/processors/0/config/content',
        message: expect.stringMatching(/^parameter "x": no parameter context is bound/),
      },
      {
        path: '/groups/0/processors/0/config/content',
        message: 'parameter "x" cannot be resolved: no parameter context "prod" (bound at /groups/0/parameterContext)',
      },
    ]);
  });

  test('parameter contexts need schemaVersion 2', () => {
    expect(issuesOf({ ...flow({ parameterContexts: [] }), schemaVersion: 1 })).toEqual([
      { path: '/parameterContexts', message: 'parameterContexts need "schemaVersion": 2' },
    ]);
  });
});

describe('config after substitution', () => {
  const contexts = [
    {
      id: 'dev',
      parameters: [
        { name: 'batch', value: '25' },
        { name: 'size', value: '10 B' },
        { name: 'word', value: 'ten' },
      ],
    },
  ];

  test('a numeric property may be #{batch}; the schema and its own checks judge the substituted value', () => {
    const configs = resolvedConfigs(
      flow({
        parameterContexts: contexts,
        parameterContext: 'dev',
        processors: [gen('g', { batchSize: '#{batch}', count: 1 })],
      }),
    );
    expect(configs.g!.batchSize).toBe(25);
    const issues = issuesOf(
      flow({
        parameterContexts: contexts,
        parameterContext: 'dev',
        processors: [gen('g', { batchSize: '#{word}', count: 1 })],
      }),
    );
    expect(issues).toEqual([
      { path: '/processors/0/config/batchSize', message: 'parameter "word" is "ten", which is not an integer' },
    ]);
    // An unknown parameter in a numeric property: one issue, not also "must be integer".
    const unknown = issuesOf(
      flow({
        parameterContexts: contexts,
        parameterContext: 'dev',
        processors: [gen('g', { batchSize: '#{nope}', count: 1 })],
      }),
    );
    expect(unknown).toEqual([
      { path: '/processors/0/config/batchSize', message: expect.stringContaining('"nope" is not defined') },
    ]);
  });

  test('the flow as written keeps its references (what is stored and exported)', () => {
    const input = flow({
      parameterContexts: contexts,
      parameterContext: 'dev',
      processors: [gen('g', { batchSize: '#{batch}', count: 1 })],
    });
    const check = validateFlow(structuredClone(input), registry);
    expect(check.ok && check.flow).toEqual(input);
    // ...and the resolved flow carries no parameter contexts.
    expect(check.ok && Object.keys(check.resolved)).not.toContain('parameterContexts');
  });

  test(`\${env:NAME} is read at validation; unset without a default is an issue; the server key is refused`, () => {
    const f = flow({
      processors: [
        gen('a', { content: `\${env:SLUICE_TEST_GREETING}`, batchSize: `\${env:SLUICE_TEST_BATCH:-3}`, count: 1 }),
        gen('b', { content: `\${env:SLUICE_TEST_UNSET_VAR}`, count: 1 }),
        gen('c', { content: `\${env:SLUICE_SECRETS_KEY}`, count: 1 }),
      ],
    });
    const env = { SLUICE_TEST_GREETING: 'hello', SLUICE_SECRETS_KEY: 'k'.repeat(64) };
    expect(issuesOf(f, { env })).toEqual([
      {
        path: '/processors/1/config/content',
        message: expect.stringContaining('environment variable SLUICE_TEST_UNSET_VAR is not set'),
      },
      {
        path: '/processors/2/config/content',
        message: expect.stringMatching(/^environment variable SLUICE_SECRETS_KEY holds the key/),
      },
    ]);
    const ok = { ...f, processors: [f.processors[0]] };
    expect(resolvedConfigs(ok, { env })).toMatchObject({ a: { content: 'hello', batchSize: 3 } });
  });
});

describe('overrides (--parameters)', () => {
  const f = () =>
    flow({
      parameterContexts: [
        { id: 'a', parameters: [{ name: 'greeting', value: 'from a' }] },
        {
          id: 'b',
          parameters: [
            { name: 'greeting', value: 'from b' },
            { name: 'pw', sensitive: true },
          ],
        },
      ],
      parameterContext: 'a',
      processors: [gen('top', { content: '#{greeting}', count: 1 })],
      groups: [{ id: 'g', parameterContext: 'b', processors: [gen('p', { content: '#{greeting}', count: 1 })] }],
    });

  test('an override replaces the value of the name in every context and supplies missing sensitive values', () => {
    expect(issuesOf(f())).toEqual([
      {
        path: '/parameterContexts/1/parameters/1/value',
        message: 'sensitive parameter "pw" of context "b" has no value',
      },
    ]);
    const configs = resolvedConfigs(f(), { parameters: { greeting: 'overridden', pw: 'given at start' } });
    expect(configs.top!.content).toBe('overridden');
    expect(configs.g__p!.content).toBe('overridden');
  });

  test('names no context declares are listed (a warning for the CLI)', () => {
    const scope = buildParameterScope(f(), { greeting: 'x', typo: 'y' });
    expect([...scope.declared].sort()).toEqual(['greeting', 'pw']);
  });
});

describe('sensitive properties', () => {
  const contexts = [
    {
      id: 'prod',
      parameters: [
        { name: 'rabbit.password', value: 'correct horse battery', sensitive: true },
        { name: 'rabbit.user', value: 'app' },
      ],
    },
  ];
  const publish = (config: Record<string, unknown>) =>
    flow({
      parameterContexts: contexts,
      parameterContext: 'prod',
      processors: [
        gen('g', { count: 1 }),
        { id: 'pub', type: 'PublishAMQP', config: { exchange: 'x', ...config }, autoTerminate: ['success', 'failure'] },
      ],
      connections: [{ id: 'c', source: 'g', relationships: ['success'], target: 'pub' }],
    });

  test('a password accepts a sensitive parameter; the processor runs with its value', () => {
    const configs = resolvedConfigs(
      publish({
        username: '#{rabbit.user}',
        password: '#{rabbit.password}',
        url: 'amqp://#{rabbit.user}:#{rabbit.password}@mq:5672/',
      }),
    );
    expect(configs.pub).toMatchObject({
      username: 'app',
      password: 'correct horse battery',
      url: 'amqp://app:correct horse battery@mq:5672/',
    });
  });

  test('plain text, a parameter that is not sensitive, or a literal URL password are refused at the path', () => {
    expect(issuesOf(publish({ password: 'plain' }))).toEqual([
      {
        path: '/processors/1/config/password',
        message: expect.stringMatching(
          /^password must be a reference to a sensitive parameter, e\.g\. "#\{rabbit\.password\}"/,
        ),
      },
    ]);
    expect(issuesOf(publish({ password: '#{rabbit.user}' }))).toEqual([
      {
        path: '/processors/1/config/password',
        message:
          'password must be a reference to a sensitive parameter, e.g. "#{rabbit.password}": parameter "rabbit.user" is not sensitive',
      },
    ]);
    expect(issuesOf(publish({ url: 'amqp://app:literal@mq/' }))).toEqual([
      { path: '/processors/1/config/url', message: expect.stringContaining('plain-text password') },
    ]);
    // A URL password from a parameter that is not sensitive is plain text too.
    expect(issuesOf(publish({ url: 'amqp://app:#{rabbit.user}@mq/' }))).toEqual([
      { path: '/processors/1/config/url', message: expect.stringContaining('plain-text password') },
    ]);
  });

  test('no issue ever holds a sensitive value', () => {
    const broken = publish({
      password: '#{rabbit.password}x',
      url: 'amqp://a:#{rabbit.password}@@',
      exchange: '#{rabbit.password}',
    });
    const text = JSON.stringify(issuesOf(broken));
    expect(text).toContain('rabbit.password');
    expect(text).not.toContain('correct horse battery');
  });
});
