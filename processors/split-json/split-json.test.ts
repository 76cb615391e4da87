import { describe, expect, test } from 'vitest';
import { configIssues, processorRunner } from '../../sdk/testing';
import SplitJSON from '.';

describe('SplitJSON', () => {
  test('splits the array at a path into one FlowFile per element, with FORK and fragment attributes', async () => {
    const run = processorRunner(SplitJSON, { path: 'content.orders' });
    const parent = run.enqueue(JSON.stringify({ orders: [{ id: 1 }, [2], 3, 'four', null] }), { filename: 'o.json' });
    await run.trigger();
    const split = run.transferred('split');
    expect(split.map((f) => f.content.toString())).toEqual(['{"id":1}', '[2]', '3', 'four', 'null']);
    expect(split.map((f) => f.attributes['fragment.index'])).toEqual(['0', '1', '2', '3', '4']);
    expect(split[0]!.attributes).toMatchObject({
      'fragment.identifier': parent.id,
      'fragment.count': '5',
      'segment.original.filename': 'o.json',
      'mime.type': 'application/json',
    });
    expect(split[3]!.attributes['mime.type']).toBe('text/plain');
    const fork = run.provenance().find((e) => e.type === 'FORK')!;
    expect(fork.childIds).toHaveLength(5);
    expect(run.transferred('original')).toHaveLength(1);
  });

  test('the default path splits a top-level array; an array of one and an empty array', async () => {
    const run = processorRunner(SplitJSON, {});
    run.enqueue('[{"a":1},{"a":2}]');
    run.enqueue('[{"only":true}]');
    run.enqueue('[]');
    await run.trigger();
    expect(run.transferred('split').map((f) => f.content.toString())).toEqual(['{"a":1}', '{"a":2}', '{"only":true}']);
    expect(run.transferred('original').map((f) => f.attributes['fragment.count'])).toEqual(['2', '1', '0']);
  });

  test('non-JSON, empty, non-UTF-8 content and a missing path go to failure', async () => {
    const run = processorRunner(SplitJSON, { path: 'content.items' });
    run.enqueue('not json');
    run.enqueue('');
    run.enqueue(Buffer.from([0x5b, 0xff, 0x5d]));
    run.enqueue('{"other":[]}');
    await run.trigger();
    const errors = run.transferred('failure').map((f) => f.attributes['split.error']);
    expect(errors.slice(0, 3)).toEqual([
      expect.stringMatching(/not JSON/),
      expect.stringMatching(/not JSON/),
      expect.stringMatching(/not JSON: content is not valid UTF-8/),
    ]);
    expect(errors[3]).toBe('no value at content.items');
  });

  test('an expression runtime error goes to failure', async () => {
    const run = processorRunner(SplitJSON, { path: '$number(content.x)' });
    run.enqueue('{"x":"abc"}');
    await run.trigger();
    expect(run.transferred('failure')).toHaveLength(1);
  });

  test('a large array is split', async () => {
    const run = processorRunner(SplitJSON, {});
    run.enqueue(JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ i }))));
    await run.trigger();
    const split = run.transferred('split');
    expect(split).toHaveLength(20_000);
    expect(split[19_999]!.content.toString()).toBe('{"i":19999}');
  });

  test('a broken path is a config error', () => {
    expect(configIssues(SplitJSON, { path: 'content[' })[0]!.path).toBe('/path');
  });
});
