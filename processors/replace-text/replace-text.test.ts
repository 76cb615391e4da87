import { describe, expect, test } from 'vitest';
import { configIssues, processorRunner } from '../../sdk/testing';
import ReplaceText from '.';

async function replace(config: object, content: string | Buffer) {
  const run = processorRunner(ReplaceText, config);
  run.enqueue(content);
  await run.trigger();
  return run;
}

describe('ReplaceText', () => {
  test('regex replacement with capture groups over the whole text, recording CONTENT_MODIFIED', async () => {
    const run = await replace({ search: '(\\w+)@(\\w+)', replacement: '$2 at $1' }, 'mail ann@acme and bob@corp');
    expect(run.transferred('success')[0]!.content.toString()).toBe('mail acme at ann and corp at bob');
    expect(run.provenance().map((e) => e.type)).toContain('CONTENT_MODIFIED');
  });

  test('line by line keeps line breaks (\\n and \\r\\n) and anchors ^ $ to each line', async () => {
    const run = await replace(
      { search: '^(.*)$', replacement: '<$1>', evaluationMode: 'line-by-line' },
      'a\r\nbb\n\nccc\n',
    );
    expect(run.transferred('success')[0]!.content.toString()).toBe('<a>\r\n<bb>\n<>\n<ccc>\n');
  });

  test('literal mode treats regex characters and $ in the replacement literally', async () => {
    const run = await replace({ strategy: 'literal', search: '(.*)', replacement: '$1' }, 'x(.*)y(.*)');
    expect(run.transferred('success')[0]!.content.toString()).toBe('x$1y$1');
  });

  test('prepend, append and always-replace, per line', async () => {
    const pre = await replace({ strategy: 'prepend', replacement: '> ', evaluationMode: 'line-by-line' }, 'a\nb\n');
    expect(pre.transferred('success')[0]!.content.toString()).toBe('> a\n> b\n');
    const app = await replace({ strategy: 'append', replacement: ';' }, 'a\nb');
    expect(app.transferred('success')[0]!.content.toString()).toBe('a\nb;');
    const all = await replace({ strategy: 'always-replace', replacement: 'X' }, 'whatever');
    expect(all.transferred('success')[0]!.content.toString()).toBe('X');
  });

  test('case-insensitive flag', async () => {
    const run = await replace({ search: 'error', flags: 'i', replacement: 'E' }, 'Error ERROR error');
    expect(run.transferred('success')[0]!.content.toString()).toBe('E E E');
  });

  test('empty content passes unchanged; no match leaves the content untouched (no CONTENT_MODIFIED)', async () => {
    const run = processorRunner(ReplaceText, { search: 'x', replacement: 'y' });
    run.enqueue('');
    run.enqueue('abc');
    await run.trigger();
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual(['', 'abc']);
    expect(run.provenance().map((e) => e.type)).not.toContain('CONTENT_MODIFIED');
  });

  test('non-UTF-8 bytes go to failure in utf8 mode and pass through byte-exact in latin1 mode', async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x41, 0x80, 0x0a]);
    const utf8 = await replace({ search: 'A', replacement: 'B' }, bytes);
    const failed = utf8.transferred('failure')[0]!;
    expect(failed.content.equals(bytes)).toBe(true);
    expect(failed.attributes['replacetext.error']).toMatch(/not valid UTF-8/);
    const latin1 = await replace({ search: 'A', replacement: 'B', encoding: 'latin1' }, bytes);
    expect([...latin1.transferred('success')[0]!.content]).toEqual([0xff, 0xfe, 0x42, 0x80, 0x0a]);
  });

  test('a huge single line is replaced; content over maxBufferSize goes to failure', async () => {
    const line = `${'a'.repeat(2_500_000)}b${'a'.repeat(2_500_000)}b`;
    const run = await replace({ search: 'b', replacement: 'c', evaluationMode: 'line-by-line' }, line);
    const out = run.transferred('success')[0]!.content.toString();
    expect(out.length).toBe(5_000_002);
    expect(out.endsWith('ac')).toBe(true);
    expect(out.includes('b')).toBe(false);
    const small = await replace({ search: 'b', replacement: 'c', maxBufferSize: '1 KB' }, line);
    expect(small.transferred('failure')[0]!.attributes['replacetext.error']).toMatch(/maxBufferSize/);
  });

  test('a bad regex or an empty search is rejected at validation with its path', () => {
    expect(configIssues(ReplaceText, { search: '(unclosed' })).toEqual([
      { path: '/search', message: expect.stringMatching(/invalid regular expression/) },
    ]);
    expect(configIssues(ReplaceText, { strategy: 'literal' })).toEqual([
      { path: '/search', message: 'must not be empty for strategy "literal"' },
    ]);
    expect(configIssues(ReplaceText, { search: 'a', flags: 'gx' })[0]!.path).toBe('/flags');
  });

  test('a catastrophic-backtracking pattern on 50 KB answers (RE2) and the content passes unchanged', async () => {
    const run = processorRunner(ReplaceText, { search: '^(a+)+$', replacement: 'x' });
    const evil = `${'a'.repeat(50_000)}!`;
    run.enqueue(evil);
    await run.trigger();
    expect(run.transferred('success')[0]!.content.toString()).toBe(evil);
  });

  test('a pattern RE2 cannot run is refused at /search with the reason', () => {
    expect(configIssues(ReplaceText, { search: '(\\w)\\1' })).toEqual([
      {
        path: '/search',
        message: expect.stringMatching(/^backreferences are not supported: Sluice runs regular expressions with RE2/),
      },
    ]);
  });
});
