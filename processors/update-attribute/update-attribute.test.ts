import { describe, expect, test } from 'vitest';
import { configIssues, processorRunner } from '../../server/testing/processor-runner';
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
});
