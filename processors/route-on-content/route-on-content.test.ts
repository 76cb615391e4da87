import { describe, expect, test } from 'vitest';
import { configIssues, processorRunner } from '../../sdk/testing';
import RouteOnContent from '.';

describe('RouteOnContent', () => {
  test('first match in rule order, unmatched otherwise, with ROUTE events', async () => {
    const run = processorRunner(RouteOnContent, { rules: { errors: 'ERROR|FATAL', warnings: 'WARN' } });
    run.enqueue('2024 WARN disk');
    run.enqueue('FATAL and WARN');
    run.enqueue('all fine');
    await run.trigger();
    expect(run.transferred('warnings').map((f) => f.content.toString())).toEqual(['2024 WARN disk']);
    expect(run.transferred('errors').map((f) => f.attributes['RouteOnContent.Route'])).toEqual(['errors']);
    expect(run.transferred('unmatched')).toHaveLength(1);
    expect(run.provenance().filter((e) => e.type === 'ROUTE')).toHaveLength(3);
  });

  test('all-matches clones to every matching rule', async () => {
    const run = processorRunner(RouteOnContent, { rules: { a: 'a', b: 'b', c: 'c' }, strategy: 'all-matches' });
    const ff = run.enqueue('ab');
    await run.trigger();
    expect(run.transferred('a')[0]!.id).toBe(ff.id);
    expect(run.transferred('b')[0]!.id).not.toBe(ff.id);
    expect(run.transferred('c')).toHaveLength(0);
    expect(run.provenance().filter((e) => e.type === 'CLONE')).toHaveLength(1);
  });

  test('matches-entirely, flags, and empty content', async () => {
    const run = processorRunner(RouteOnContent, {
      rules: { number: '\\d+', hex: '0x[0-9a-f]+', blank: '\\s*' },
      matchRequirement: 'matches-entirely',
      flags: 'i',
    });
    run.enqueue('123');
    run.enqueue('123x');
    run.enqueue('0XBEEF');
    run.enqueue('');
    await run.trigger();
    expect(run.transferred('number')).toHaveLength(1);
    expect(run.transferred('unmatched')).toHaveLength(1);
    expect(run.transferred('hex')).toHaveLength(1);
    expect(run.transferred('blank').map((f) => f.size)).toEqual([0]);
  });

  test('binary content is routed in latin1 without changing its bytes; only maxBufferSize is examined', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff]);
    const run = processorRunner(RouteOnContent, { rules: { png: '^\\x89PNG' }, encoding: 'latin1' });
    run.enqueue(bytes);
    await run.trigger();
    expect(run.transferred('png')[0]!.content.equals(bytes)).toBe(true);
    const far = processorRunner(RouteOnContent, { rules: { tail: 'needle' }, maxBufferSize: '1 KB' });
    far.enqueue(`${'x'.repeat(5000)}needle`);
    await far.trigger();
    expect(far.transferred('unmatched')).toHaveLength(1);
  });

  test('a bad regex or a reserved rule name is rejected at validation', () => {
    expect(configIssues(RouteOnContent, { rules: { ok: 'a', bad: '[z-a]' } })).toEqual([
      { path: '/rules/bad', message: expect.stringMatching(/invalid regular expression/) },
    ]);
    expect(configIssues(RouteOnContent, { rules: { unmatched: 'a' } }).length).toBeGreaterThan(0);
  });

  test('(a|aa)+$ over 50 KB routes at once (RE2), and lookaround is refused at the rule path', async () => {
    const run = processorRunner(RouteOnContent, { rules: { evil: '(a|aa)+$', bang: '!$' } });
    run.enqueue(`${'a'.repeat(50_000)}!`);
    await run.trigger();
    expect(run.transferred('bang')).toHaveLength(1);
    expect(configIssues(RouteOnContent, { rules: { ok: 'a+', odd: '(?<!a)b' } })).toEqual([
      { path: '/rules/odd', message: expect.stringMatching(/^lookbehind is not supported/) },
    ]);
  });
});
