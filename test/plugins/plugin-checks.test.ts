/** The SDK range rule and the definition checks plugins pass before they are registered. */
import { describe, expect, test } from 'vitest';
import GeoEnrich from '../../plugins/geo-enrich/src/index';
import { satisfies } from '../../server/plugins/sdk-range';
import { processorProblems, serviceProblems } from '../../server/plugins/validate-plugin';

describe('SDK ranges', () => {
  test.each([
    ['^1.0.0', true],
    ['^1', true],
    ['1.x', true],
    ['~1.0.0', true],
    ['>=1.0.0 <2.0.0', true],
    ['1.0.0', true],
    ['^1.1.0', false],
    ['^2.0.0', false],
    ['2.x', false],
    ['^0.9.0', false],
  ])('1.0.0 satisfies %s: %s', (range, ok) => {
    expect(satisfies('1.0.0', range)).toBe(ok);
  });

  test('a range it does not understand is a message, not a yes', () => {
    expect(satisfies('1.0.0', 'latest')).toMatch(/not understood/);
  });
});

const valid = {
  type: 'Thing',
  description: 'Does a thing.',
  category: 'transform' as const,
  input: 'required' as const,
  config: { type: 'object', additionalProperties: false, properties: { a: { type: 'string', description: 'A.' } } },
  relationships: [{ name: 'success', description: 'Done.' }],
  onTrigger() {},
};

describe('plugin processor checks', () => {
  test('the example plugin passes', () => {
    expect(GeoEnrich.processors.flatMap((p) => processorProblems(p, new Set()))).toEqual([]);
  });

  test.each([
    [{ type: 'thing' }, 'processor type "thing" must be a PascalCase name'],
    [
      { type: 'UpdateAttribute' },
      'processor UpdateAttribute: the type name is already taken (a built-in or another plugin)',
    ],
    [
      { config: { type: 'object', properties: { a: { type: 'string' } } } },
      'processor Thing: config property "a" has no description',
    ],
    [
      { config: { type: 'object', properties: { a: { type: 'strin', description: 'A.' } } } },
      /config schema does not compile/,
    ],
    [
      { relationships: [{ name: 'OK', description: 'x' }] },
      'processor Thing: relationship "OK" must be a lower-case name',
    ],
    [{ relationships: [{ name: 'ok' }] }, 'processor Thing: relationship "ok" has no description'],
    [{ category: 'magic' }, /category must be one of/],
  ])('refuses %j', (change, problem) => {
    const problems = processorProblems({ ...valid, ...change } as never, new Set(['UpdateAttribute']));
    expect(
      problems.some((p) => (typeof problem === 'string' ? p === problem : problem.test(p))),
      problems.join('\n'),
    ).toBe(true);
  });

  test('services: provides something, enables, described config', () => {
    const service = { type: 'Pool', description: 'A pool.', provides: [], config: { type: 'object' }, enable: () => 1 };
    expect(serviceProblems(service as never, new Set())).toEqual([
      'service Pool: provides must list at least one kind',
    ]);
  });
});
