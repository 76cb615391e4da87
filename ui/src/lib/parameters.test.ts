import { describe, expect, test } from 'vitest';
import type { GroupSpec } from '../../../flows/flow-schema';
import type { Flow } from '../api/types';
import {
  applySuggestion,
  bindingAt,
  effectiveParameters,
  filterSuggestions,
  findReferences,
  inheritable,
  MASK,
  parameterReferrers,
  resolveForDisplay,
  scopeAt,
  splitReferences,
  suggestionQuery,
} from './parameters';
import {
  holdsSensitiveValues,
  missingSensitiveValues,
  removeContext,
  renameContext,
  scrubSensitive,
  setBinding,
  setSensitive,
  setSensitiveValue,
} from './parameters-edit';
import {
  addService,
  findServiceReferences,
  removeService,
  serviceGlobalId,
  serviceReferrers,
  servicesInScope,
} from './parameters-services';

const flow = (): Flow =>
  ({
    schemaVersion: 2,
    id: 'f',
    name: 'f',
    parameterContexts: [
      {
        id: 'common',
        parameters: [
          { name: 'batch', value: '100' },
          { name: 'region', value: 'eu' },
        ],
      },
      {
        id: 'prod',
        inherits: ['common'],
        parameters: [
          { name: 'broker.url', value: 'amqp://prod' },
          { name: 'pw', sensitive: true, set: true },
          { name: 'region', value: 'us' },
        ],
      },
      { id: 'dev', parameters: [{ name: 'broker.url', value: 'amqp://dev' }] },
    ],
    parameterContext: 'prod',
    processors: [{ id: 'pub', type: 'PublishAMQP', config: { url: '#{broker.url}', password: '#{pw}' } }],
    connections: [],
    groups: [
      {
        id: 'g',
        parameterContext: 'dev',
        processors: [{ id: 'in-g', type: 'LogAttribute', config: { note: 'to #{broker.url}', nested: ['#{batch}'] } }],
        connections: [],
        groups: [
          {
            id: 'inner',
            processors: [{ id: 'deep', type: 'LogAttribute', config: { x: '#{broker.url}' } }],
            connections: [],
          },
        ],
      },
      { id: 'plain', processors: [{ id: 'p2', type: 'LogAttribute', config: { x: '#{region}' } }], connections: [] },
    ],
  }) as Flow;

describe('scope', () => {
  test('a group without a binding uses the nearest enclosing one; the flow binds the outermost', () => {
    expect(bindingAt(flow(), [])).toBe('prod');
    expect(bindingAt(flow(), ['g'])).toBe('dev');
    expect(bindingAt(flow(), ['g', 'inner'])).toBe('dev');
    expect(bindingAt(flow(), ['plain'])).toBe('prod');
  });

  test('own parameters come first, then inherited ones for names not found yet', () => {
    const names = effectiveParameters(flow(), 'prod').map((p) => `${p.name}@${p.context}`);
    expect(names).toEqual(['broker.url@prod', 'pw@prod', 'region@prod', 'batch@common']);
    // a bound context sees only its own chain, not its parent's
    expect(scopeAt(flow(), ['g']).parameters.map((p) => p.name)).toEqual(['broker.url']);
  });

  test('a sensitive parameter has no value in scope, only whether it is set', () => {
    const pw = effectiveParameters(flow(), 'prod').find((p) => p.name === 'pw')!;
    expect(pw).toEqual({ name: 'pw', context: 'prod', sensitive: true, set: true });
  });

  test('an inheritance cycle ends the walk instead of looping', () => {
    const f = flow();
    f.parameterContexts![1]!.inherits = ['common', 'prod'];
    f.parameterContexts![0]!.inherits = ['prod'];
    expect(effectiveParameters(f, 'common').map((p) => p.name)).toEqual(['batch', 'region', 'broker.url', 'pw']);
  });

  test('inheritable leaves out itself, what it has and what would close a cycle', () => {
    expect(inheritable(flow(), 'common')).toEqual(['dev']);
    expect(inheritable(flow(), 'prod')).toEqual(['dev']);
  });
});

describe('references', () => {
  test('"##{" is literal text; "###{" is "#" and a reference', () => {
    expect(splitReferences('a #{x} b')).toEqual([{ text: 'a ' }, { ref: 'x' }, { text: ' b' }]);
    expect(splitReferences('##{x}')).toEqual([{ text: '#{x}' }]);
    expect(splitReferences('###{x}')).toEqual([{ text: '#' }, { ref: 'x' }]);
    expect(splitReferences('#{}')).toEqual([{ text: '#{}' }]);
    expect(splitReferences('#{open')).toEqual([{ text: '#{open' }]);
  });

  test('found in strings at any depth, not in keys', () => {
    expect([...findReferences({ a: '#{x}', b: ['#{y} and #{z}'], c: { '#{key}': 'no' }, d: 3 })]).toEqual([
      'x',
      'y',
      'z',
    ]);
  });

  test('resolved for display: values in place, sensitive masked, unknown and empty reported', () => {
    const scope = scopeAt(flow(), []);
    const r = resolveForDisplay('#{broker.url}/#{pw}/#{nope}/#{batch}', scope);
    expect(r.display).toBe(`amqp://prod/${MASK}/#{nope}/100`);
    expect(r.unknown).toEqual(['nope']);
    const empty = resolveForDisplay('#{x}', {
      contextId: 'c',
      parameters: [{ name: 'x', context: 'c', sensitive: false }],
    });
    expect(empty.empty).toEqual(['x']);
  });

  test('referrers: processors whose level resolves the name to this context', () => {
    const f = flow();
    expect(parameterReferrers(f, 'prod', 'broker.url').map((r) => r.id)).toEqual(['pub']);
    expect(parameterReferrers(f, 'dev', 'broker.url').map((r) => [...r.path, r.id].join('/'))).toEqual([
      'g/in-g',
      'g/inner/deep',
    ]);
    expect(parameterReferrers(f, 'common', 'region')).toEqual([]); // prod's own region wins
    expect(parameterReferrers(f, 'prod', 'region').map((r) => r.id)).toEqual(['p2']);
    expect(parameterReferrers(f, 'common', 'batch')).toEqual([]); // g binds dev, which has no batch
  });
});

describe('suggestions', () => {
  test('offered inside an unclosed #{ before the caret only', () => {
    expect(suggestionQuery('url: #{bro', 10)).toEqual({ start: 5, query: 'bro' });
    expect(suggestionQuery('#{', 2)).toEqual({ start: 0, query: '' });
    expect(suggestionQuery('#{a} b', 6)).toBeUndefined();
    expect(suggestionQuery('##{a', 4)).toBeUndefined();
    expect(suggestionQuery('###{a', 5)).toEqual({ start: 2, query: 'a' });
    expect(suggestionQuery('#{a$', 4)).toBeUndefined();
  });

  test('names starting with the text first, then containing it, in scope order', () => {
    const ps = ['region', 'broker.url', 'batch', 'url.prefix'].map((name) => ({ name }));
    expect(filterSuggestions(ps, 'ur').map((p) => p.name)).toEqual(['url.prefix', 'broker.url']);
    expect(filterSuggestions(ps, 'B').map((p) => p.name)).toEqual(['broker.url', 'batch']);
    expect(filterSuggestions(ps, '').map((p) => p.name)).toEqual(['region', 'broker.url', 'batch', 'url.prefix']);
  });

  test('taking one completes the reference and puts the caret after it', () => {
    expect(applySuggestion('x #{bro y', 2, 7, 'broker.url')).toEqual({ text: 'x #{broker.url} y', caret: 15 });
    expect(applySuggestion('#{b}', 0, 3, 'batch')).toEqual({ text: '#{batch}', caret: 8 });
  });
});

describe('edits', () => {
  test('removing a context drops the bindings and inherits that name it', () => {
    const f = removeContext(flow(), 'dev');
    expect(f.groups![0]!.parameterContext).toBeUndefined();
    const g = removeContext(flow(), 'common');
    expect(g.parameterContexts!.find((c) => c.id === 'prod')!.inherits).toEqual([]);
  });

  test('renaming a context renames its bindings and inherits', () => {
    const f = renameContext(flow(), 'prod', 'production');
    expect(f.parameterContext).toBe('production');
    const r = renameContext(flow(), 'common', 'base');
    expect(r.parameterContexts!.find((c) => c.id === 'prod')!.inherits).toEqual(['base']);
    expect(renameContext(flow(), 'prod', 'dev')).toEqual(flow()); // taken: nothing changes
  });

  test('a binding is set and removed at any level', () => {
    expect(setBinding(flow(), ['g', 'inner'], 'prod').groups![0]!.groups![0]!.parameterContext).toBe('prod');
    expect(setBinding(flow(), ['g'], undefined).groups![0]!.parameterContext).toBeUndefined();
  });

  test('a secret set in the document is scrubbed to set: true once saved; null to set: false', () => {
    const typed = setSensitiveValue(flow(), 'prod', 'pw', 's3cret-value');
    expect(holdsSensitiveValues(typed)).toBe(true);
    const clean = scrubSensitive(typed);
    expect(JSON.stringify(clean)).not.toContain('s3cret-value');
    expect(clean.parameterContexts![1]!.parameters![1]).toEqual({ name: 'pw', sensitive: true, set: true });
    const cleared = scrubSensitive(setSensitiveValue(flow(), 'prod', 'pw', null));
    expect(cleared.parameterContexts![1]!.parameters![1]).toEqual({ name: 'pw', sensitive: true, set: false });
    const same = flow();
    expect(scrubSensitive(same)).toBe(same);
  });

  test('making a plain parameter sensitive drops its value', () => {
    const f = setSensitive(flow(), 'prod', 'broker.url', true);
    expect(f.parameterContexts![1]!.parameters![0]).toEqual({ name: 'broker.url', sensitive: true, value: null });
  });

  test('missing sensitive values are read from the import issues', () => {
    const issues = [
      {
        path: '/parameterContexts/1/parameters/1/value',
        message: 'sensitive parameter "pw" of context "prod" has no value',
      },
      { path: '/processors/0/config/url', message: 'something else' },
    ];
    expect(missingSensitiveValues(flow(), issues)).toEqual([{ context: 'prod', name: 'pw' }]);
  });
});

describe('services', () => {
  const withServices = (): Flow => {
    const f = flow() as Flow & { services?: unknown[] };
    f.services = [
      { id: 'rabbit', type: 'AMQPConnection', config: {} },
      { id: 'http', type: 'HttpClient', config: {} },
    ];
    f.processors[0]!.config = { connection: { service: 'rabbit' } };
    const g = f.groups![0]! as GroupSpec & { services?: unknown[] };
    g.services = [{ id: 'rabbit', type: 'AMQPConnection', config: {} }];
    g.processors![0]!.config = { connection: { service: 'rabbit' } };
    g.groups![0]!.processors![0]!.config = { client: { service: 'http' } };
    return f;
  };

  test('a level sees its own services and every level above; the nearest id wins', () => {
    const scope = servicesInScope(withServices(), ['g', 'inner']);
    expect(scope.map((s) => s.globalId)).toEqual(['g__rabbit', 'http']);
    expect(serviceGlobalId(['g'], 'rabbit')).toBe('g__rabbit');
  });

  test('referrers resolve to the declaring level', () => {
    const f = withServices();
    expect(serviceReferrers(f, [], 'rabbit').map((r) => r.id)).toEqual(['pub']);
    expect(serviceReferrers(f, ['g'], 'rabbit').map((r) => r.id)).toEqual(['in-g']);
    expect(serviceReferrers(f, [], 'http').map((r) => r.id)).toEqual(['deep']);
    expect([...findServiceReferences({ a: { service: 'x' }, b: [{ c: { service: 'y' } }] })]).toEqual(['x', 'y']);
  });

  test('adding picks an id free at the level; removing takes it out', () => {
    const { flow: f, id } = addService(withServices(), ['g'], 'AMQPConnection');
    expect(id).toBe('amqp-connection');
    expect(servicesInScope(f, ['g']).map((s) => s.globalId)).toContain('g__amqp-connection');
    const gone = removeService(f, ['g'], 'rabbit');
    expect(servicesInScope(gone, ['g']).map((s) => s.globalId)).toEqual(['g__amqp-connection', 'rabbit', 'http']);
  });
});
