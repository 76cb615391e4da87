import { describe, expect, test } from 'vitest';
import { checkRegexes, compileRegex, regexProblem } from './regex';

describe('regexes from configs run on RE2', () => {
  test('a catastrophic-backtracking pattern answers on a 50 KB input (RegExp would not return)', () => {
    const evil = `${'a'.repeat(50_000)}!`;
    expect(compileRegex('^(a+)+$').test(evil)).toBe(false);
    expect(compileRegex('(a|aa)+$').test(evil)).toBe(false);
    expect(evil.replace(compileRegex('^(a+)+$', 'g'), 'x')).toBe(evil);
  });

  test('keeps JavaScript semantics for flags and replacements', () => {
    expect('Hello World'.replace(compileRegex('(?<first>\\w)(\\w*)', 'g'), '$2$<first>')).toBe('elloH orldW');
    expect(compileRegex('^b', 'm').test('a\nb')).toBe(true);
    expect(compileRegex('^b').test('a\nb')).toBe(false);
    expect(compileRegex('a.b', 's').test('a\nb')).toBe(true);
    expect(compileRegex('A', 'i').test('a')).toBe(true);
    expect('a-b-c'.replace(compileRegex('-', 'g'), '$&$&')).toBe('a--b--c');
  });

  test.each([
    ['(?<=a)b', /^lookbehind is not supported: Sluice runs regular expressions with RE2/],
    ['(?<!a)b', /^lookbehind is not supported/],
    ['a(?=b)', /^lookahead is not supported/],
    ['a(?!b)', /^lookahead is not supported/],
    ['(a)\\1', /^backreferences are not supported/],
    ['(?<n>a)\\k<n>', /^backreferences are not supported/],
    ['a{1001}', /repetition count above 1000/],
    ['[', /^invalid regular expression: /],
  ])('%s is refused with a message that says why', (source, message) => {
    expect(regexProblem(source)).toMatch(message);
    expect(() => compileRegex(source)).toThrow(message);
  });

  test('validate issues carry the config path', () => {
    expect(
      checkRegexes([
        ['/rules/a', 'ok+'],
        ['/rules/b', '(?<=x)y'],
      ]),
    ).toEqual([{ path: '/rules/b', message: expect.stringMatching(/^lookbehind is not supported/) }]);
  });
});
