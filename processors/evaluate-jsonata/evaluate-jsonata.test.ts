import { describe, expect, test } from 'vitest';
import { configIssues, processorRunner } from '../../sdk/testing';
import EvaluateJSONata from '.';

describe('EvaluateJSONata', () => {
  test('extracts values into attributes (objects as JSON) and records ATTRIBUTES_MODIFIED', async () => {
    const run = processorRunner(EvaluateJSONata, {
      expressions: { 'order.id': 'content.id', 'order.total': '$sum(content.lines.price)', tags: 'content.tags' },
    });
    run.enqueue(JSON.stringify({ id: 'o-1', lines: [{ price: 2.5 }, { price: 4 }], tags: ['a', 'b'] }));
    await run.trigger();
    const [ff] = run.transferred('matched');
    expect(ff!.attributes).toMatchObject({ 'order.id': 'o-1', 'order.total': '6.5', tags: '["a","b"]' });
    expect(run.provenance().map((e) => e.type)).toContain('ATTRIBUTES_MODIFIED');
  });

  test('destination content: one expression writes its value, several write an object', async () => {
    const one = processorRunner(EvaluateJSONata, { expressions: { x: 'content.a' }, destination: 'content' });
    one.enqueue('{"a":{"b":1}}');
    await one.trigger();
    expect(one.transferred('matched')[0]!.content.toString()).toBe('{"b":1}');
    const two = processorRunner(EvaluateJSONata, {
      expressions: { x: 'content.a.b', name: 'attributes.filename' },
      destination: 'content',
    });
    two.enqueue('{"a":{"b":1}}', { filename: 'f.json' });
    await two.trigger();
    expect(JSON.parse(two.transferred('matched')[0]!.content.toString())).toEqual({ x: 1, name: 'f.json' });
  });

  test('a missing value routes to unmatched, naming the expressions; empty content too', async () => {
    const run = processorRunner(EvaluateJSONata, { expressions: { a: 'content.a', b: 'content.b' } });
    run.enqueue('{"a":1}');
    run.enqueue('');
    await run.trigger();
    const unmatched = run.transferred('unmatched');
    expect(unmatched.map((f) => f.attributes['evaluate.unmatched'])).toEqual(['b', 'a,b']);
    expect(unmatched[0]!.attributes.a).toBeUndefined();
  });

  test('an evaluation error routes to failure; non-UTF-8 content is still evaluated as text', async () => {
    const run = processorRunner(EvaluateJSONata, { expressions: { n: '$number(content)' } });
    run.enqueue('not a number');
    run.enqueue(Buffer.from([0xff, 0x31]));
    await run.trigger();
    expect(run.transferred('failure')).toHaveLength(2);
    expect(run.transferred('failure')[0]!.attributes['evaluate.error']).toMatch(/number/i);
  });

  test('broken expressions are config errors at their paths', () => {
    expect(configIssues(EvaluateJSONata, { expressions: { ok: 'content', 'a/b': '$sum(' } })).toEqual([
      { path: '/expressions/a~1b', message: expect.stringMatching(/invalid JSONata/) },
    ]);
  });
});
