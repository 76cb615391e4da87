import { describe, expect, test } from 'vitest';
import { configIssues, processorRunner } from '../../sdk/testing';
import UpdateAttribute from '.';

describe('UpdateAttribute', () => {
  test('sets attributes from expressions over attributes and content, and deletes others', async () => {
    const run = processorRunner(UpdateAttribute, {
      attributes: {
        region: '"eu"',
        total: '$string(content.qty * 2)',
        copy: 'attributes.src',
        nothing: 'attributes.none',
      },
      delete: ['drop.me', 'uuid'],
    });
    const ff = run.enqueue('{"qty":21}', { src: 'x', 'drop.me': '1' });
    await run.trigger();
    const [out] = run.transferred('success');
    expect(out!.attributes).toMatchObject({ region: 'eu', total: '42', copy: 'x', uuid: ff.id });
    expect(out!.attributes.nothing).toBeUndefined();
    expect(out!.attributes['drop.me']).toBeUndefined();
    expect(run.provenance().map((e) => e.type)).toEqual(['ATTRIBUTES_MODIFIED']);
  });

  test('empty and non-UTF-8 content still evaluate; the content is never changed', async () => {
    const run = processorRunner(UpdateAttribute, { attributes: { len: '$length(content)' } });
    run.enqueue('');
    const bytes = Buffer.from([0xff, 0xfe]);
    run.enqueue(bytes);
    await run.trigger();
    const [empty, binary] = run.transferred('success');
    expect(empty!.attributes.len).toBe('0');
    expect(binary!.content.equals(bytes)).toBe(true);
  });

  test('an evaluation error routes to failure with the message', async () => {
    const run = processorRunner(UpdateAttribute, { attributes: { n: '$number(attributes.v)' } });
    run.enqueue('', { v: 'abc' });
    await run.trigger();
    expect(run.transferred('failure')[0]!.attributes['update.error']).toMatch(/number/i);
  });

  test('a broken expression is a config error at its path', () => {
    expect(configIssues(UpdateAttribute, { attributes: { ok: '1', 'a/b': 'content.(' } })).toEqual([
      { path: '/attributes/a~1b', message: expect.stringMatching(/^invalid JSONata expression/) },
    ]);
  });

  test('an expression that runs out of time sends its FlowFile to failure, posts a bulletin, requeues the rest', async () => {
    const loop = '($f := function($n){ $f($n + 1) }; $f(0))';
    const run = processorRunner(UpdateAttribute, {
      attributes: { fine: '"yes"', stuck: `attributes.loop = "1" ? ${loop} : "done"` },
      expressionTimeout: '100 ms',
    });
    run.enqueue('', { loop: '0' });
    run.enqueue('', { loop: '1' });
    run.enqueue('', { loop: '0' });
    await run.trigger();
    expect(run.transferred('success').map((f) => f.attributes.stuck)).toEqual(['done']);
    const [failed] = run.transferred('failure');
    expect(failed!.attributes['update.error']).toMatch(/evaluation stopped after 100 ms \(expressionTimeout\)/);
    expect(run.input.depth().count).toBe(1); // the rest of the batch went back to the queue
    const bulletins = run.logs.filter((l) => l.level === 'warn');
    expect(bulletins).toHaveLength(1);
    expect(bulletins[0]!.msg).toMatch(
      /^expression for attribute "stuck" failed for 1 FlowFile\(s\), sent to failure: /,
    );
    expect(bulletins[0]!.msg).toContain('$f($n + 1)');
    await run.trigger();
    expect(run.transferred('success')).toHaveLength(2);
  });

  test('a recursion that never ends goes to failure at the depth limit', async () => {
    const run = processorRunner(UpdateAttribute, {
      attributes: { n: '$string(($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(1000000)))' },
      expressionMaxDepth: 50,
    });
    run.enqueue('');
    await run.trigger();
    expect(run.transferred('failure')[0]!.attributes['update.error']).toMatch(
      /deeper than 50 levels \(expressionMaxDepth\)/,
    );
  });

  test('validate refuses a constant range too large to build and a regex literal RE2 cannot run', () => {
    expect(
      configIssues(UpdateAttribute, { attributes: { big: '[1..10000000].($*2)', re: '$match(content, /(?<=a)b/)' } }),
    ).toEqual([
      { path: '/attributes/big', message: expect.stringMatching(/^the range \[1..10000000\] has 10000000 items/) },
      {
        path: '/attributes/re',
        message: expect.stringMatching(/^regular expression \/\(\?<=a\)b\/: lookbehind is not supported/),
      },
    ]);
  });
});
