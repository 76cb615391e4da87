import { describe, expect, test } from 'vitest';
import { configIssues, processorRunner } from '../../sdk/testing';
import RouteOnAttribute from '.';

describe('RouteOnAttribute', () => {
  test('routes by the first true predicate and records a ROUTE event', async () => {
    const run = processorRunner(RouteOnAttribute, {
      routes: { big: '$number(attributes.size) > 10', eu: 'attributes.region = "eu"' },
    });
    run.enqueue('', { size: '42', region: 'eu' });
    run.enqueue('', { size: '1', region: 'eu' });
    run.enqueue('', { size: '1', region: 'us' });
    await run.trigger();
    expect(run.transferred('big')).toHaveLength(1);
    expect(run.transferred('eu')).toHaveLength(1);
    expect(run.transferred('unmatched')[0]!.attributes['RouteOnAttribute.Route']).toBe('unmatched');
    expect(
      run
        .provenance()
        .filter((e) => e.type === 'ROUTE')
        .map((e) => e.relationship),
    ).toEqual(['big', 'eu', 'unmatched']);
  });

  test('all-matches sends a clone to every further true route', async () => {
    const run = processorRunner(RouteOnAttribute, {
      routes: { a: 'true', b: 'attributes.x = "1"', c: 'false' },
      strategy: 'all-matches',
    });
    const ff = run.enqueue('body', { x: '1' });
    await run.trigger();
    expect(run.transferred('a')[0]!.id).toBe(ff.id);
    const [clone] = run.transferred('b');
    expect(clone!.id).not.toBe(ff.id);
    expect(clone!.content.toString()).toBe('body');
    expect(run.transferred('c')).toHaveLength(0);
  });

  test('predicates may read JSON content; non-JSON and empty content are strings', async () => {
    const run = processorRunner(RouteOnAttribute, { routes: { vip: 'content.customer.tier = "gold"' } });
    run.enqueue('{"customer":{"tier":"gold"}}');
    run.enqueue('');
    run.enqueue(Buffer.from([0xff]));
    await run.trigger();
    expect(run.transferred('vip')).toHaveLength(1);
    expect(run.transferred('unmatched')).toHaveLength(2);
  });

  test('an evaluation error routes to failure', async () => {
    const run = processorRunner(RouteOnAttribute, { routes: { n: '$number(attributes.v) > 1' } });
    run.enqueue('', { v: 'abc' });
    await run.trigger();
    expect(run.transferred('failure')[0]!.attributes['route.error']).toBeTruthy();
  });

  test('broken predicates and reserved route names are config errors', () => {
    expect(configIssues(RouteOnAttribute, { routes: { x: 'attributes.(' } })[0]!.path).toBe('/routes/x');
    expect(configIssues(RouteOnAttribute, { routes: { unmatched: 'true' } }).length).toBeGreaterThan(0);
  });

  test('a predicate beyond its budget routes to failure with the reason; other FlowFiles route normally', async () => {
    const run = processorRunner(RouteOnAttribute, {
      routes: { big: '$count([1..$number(attributes.n)]) > 10' },
    });
    run.enqueue('', { n: '5000000' });
    run.enqueue('', { n: '50' });
    await run.trigger();
    expect(run.transferred('big')).toHaveLength(1);
    expect(run.transferred('failure')[0]!.attributes['route.error']).toMatch(/more than 1000000 items/);
    expect(run.logs.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      expect.stringMatching(/^expression of route "big" failed for 1 FlowFile\(s\)/),
    ]);
  });
});
