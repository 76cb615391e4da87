import { describe, expect, test } from 'vitest';
import { configIssues, processorRunner } from '../../sdk/testing';
import TransformJSON from '.';

async function transform(config: object, content: string | Buffer, attributes: Record<string, string> = {}) {
  const run = processorRunner(TransformJSON, config);
  run.enqueue(content, attributes);
  await run.trigger();
  return run;
}

describe('TransformJSON', () => {
  test('reshapes JSON content with attributes available, writing compact JSON', async () => {
    const run = await transform(
      { expression: '{"region": attributes.region, "skus": content.items[qty > 1].sku}' },
      JSON.stringify({
        items: [
          { sku: 'a', qty: 2 },
          { sku: 'b', qty: 1 },
          { sku: 'c', qty: 5 },
        ],
      }),
      { region: 'eu' },
    );
    const [out] = run.transferred('success');
    expect(JSON.parse(out!.content.toString())).toEqual({ region: 'eu', skus: ['a', 'c'] });
    expect(out!.attributes['mime.type']).toBe('application/json');
    expect(run.provenance().map((e) => e.type)).toContain('CONTENT_MODIFIED');
  });

  test('indent, and a string result written as plain text', async () => {
    const pretty = await transform({ expression: 'content', indent: 2 }, '{"a":1}');
    expect(pretty.transferred('success')[0]!.content.toString()).toBe('{\n  "a": 1\n}');
    const text = await transform({ expression: '$uppercase(content.name)' }, '{"name":"ann"}');
    const out = text.transferred('success')[0]!;
    expect(out.content.toString()).toBe('ANN');
    expect(out.attributes['mime.type']).toBe('text/plain');
  });

  test('non-JSON content is seen as a string; empty content as ""', async () => {
    const run = processorRunner(TransformJSON, { expression: '$length(content)' });
    run.enqueue('plain text');
    run.enqueue('');
    await run.trigger();
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual(['10', '0']);
  });

  test('runtime errors, missing results and non-UTF-8 content go to failure unchanged', async () => {
    const run = processorRunner(TransformJSON, { expression: '$number(content.n) + 1' });
    run.enqueue('{"n":"abc"}');
    run.enqueue('{"other":1}');
    run.enqueue(Buffer.from([0xc3, 0x28]));
    await run.trigger();
    const failed = run.transferred('failure');
    expect(failed).toHaveLength(3);
    expect(failed[0]!.content.toString()).toBe('{"n":"abc"}');
    expect(failed[0]!.attributes['transformjson.error']).toMatch(/number/i);
    expect(failed[1]!.attributes['transformjson.error']).toBe('the expression produced no result');
    expect(failed[2]!.attributes['transformjson.error']).toMatch(/UTF-8/);
  });

  test('a huge JSON array is transformed', async () => {
    const items = Array.from({ length: 200_000 }, (_, i) => ({ i }));
    const run = await transform({ expression: '$count(content)' }, JSON.stringify(items));
    expect(run.transferred('success')[0]!.content.toString()).toBe('200000');
  });

  test('a broken expression is a config error at /expression', () => {
    expect(configIssues(TransformJSON, { expression: 'content.{' })).toEqual([
      { path: '/expression', message: expect.stringMatching(/invalid JSONata expression/) },
    ]);
  });

  test('an expression beyond its time limit goes to failure, not into a stall', async () => {
    const run = processorRunner(TransformJSON, {
      expression: '($f := function($n){ $f($n + 1) }; $f(0))',
      expressionTimeout: '50 ms',
    });
    run.enqueue('{}');
    await run.trigger();
    expect(run.transferred('failure')[0]!.attributes['transformjson.error']).toMatch(/expressionTimeout/);
  });
});
