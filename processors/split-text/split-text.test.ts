import { describe, expect, test } from 'vitest';
import { processorRunner } from '../../sdk/testing';
import SplitText from '.';

describe('SplitText', () => {
  test('N lines per split with the header repeated, fragment attributes and one FORK event', async () => {
    const run = processorRunner(SplitText, { lineCount: 2, headerLineCount: 1 });
    const parent = run.enqueue('id,name\n1,a\n2,b\n3,c\n', { filename: 'people.csv' });
    await run.trigger();
    const splits = run.transferred('splits');
    expect(splits.map((f) => f.content.toString())).toEqual(['id,name\n1,a\n2,b\n', 'id,name\n3,c\n']);
    expect(splits.map((f) => f.attributes['fragment.index'])).toEqual(['0', '1']);
    expect(splits[1]!.attributes).toMatchObject({
      'fragment.identifier': parent.id,
      'fragment.count': '2',
      'segment.original.filename': 'people.csv',
      'text.line.count': '1',
    });
    expect(run.transferred('original')[0]!.attributes['fragment.count']).toBe('2');
    const forks = run.provenance().filter((e) => e.type === 'FORK');
    expect(forks).toHaveLength(1);
    expect(forks[0]!.flowFileId).toBe(parent.id);
    expect([...forks[0]!.childIds].sort()).toEqual(splits.map((f) => f.id).sort());
  });

  test('without header the splits concatenate back to the original, last line without newline included', async () => {
    const run = processorRunner(SplitText, { lineCount: 3 });
    const text = 'a\r\nb\nc\nd\n\ne';
    run.enqueue(text);
    await run.trigger();
    const splits = run.transferred('splits');
    expect(splits).toHaveLength(2);
    expect(splits.map((f) => f.content.toString()).join('')).toBe(text);
  });

  test('removeTrailingNewlines trims each split and drops blank ones', async () => {
    const run = processorRunner(SplitText, { removeTrailingNewlines: true });
    run.enqueue('a\n\nb\r\n');
    await run.trigger();
    expect(run.transferred('splits').map((f) => f.content.toString())).toEqual(['a', 'b']);
    expect(run.transferred('splits')[1]!.attributes['fragment.count']).toBe('2');
  });

  test('empty content yields no splits; the original says fragment.count 0', async () => {
    const run = processorRunner(SplitText, {});
    run.enqueue('');
    await run.trigger();
    expect(run.transferred('splits')).toHaveLength(0);
    expect(run.transferred('original')[0]!.attributes['fragment.count']).toBe('0');
  });

  test('non-UTF-8 bytes are split at line breaks byte-exact', async () => {
    const run = processorRunner(SplitText, {});
    run.enqueue(Buffer.from([0xff, 0x0a, 0x80, 0x81, 0x0a]));
    await run.trigger();
    expect(run.transferred('splits').map((f) => [...f.content])).toEqual([
      [0xff, 0x0a],
      [0x80, 0x81, 0x0a],
    ]);
  });

  test('a huge line stays one split', async () => {
    const run = processorRunner(SplitText, { lineCount: 1 });
    run.enqueue(`${'x'.repeat(8_000_000)}\nshort\n`);
    await run.trigger();
    expect(run.transferred('splits').map((f) => f.size)).toEqual([8_000_001, 6]);
  });

  test('fewer lines than the header goes to failure', async () => {
    const run = processorRunner(SplitText, { headerLineCount: 3 });
    run.enqueue('h1\nh2\n');
    await run.trigger();
    expect(run.transferred('failure')[0]!.attributes['split.error']).toMatch(/fewer than headerLineCount/);
    expect(run.transferred('splits')).toHaveLength(0);
  });
});
