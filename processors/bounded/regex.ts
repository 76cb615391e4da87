/**
 * Regular expressions from configs run on RE2: matching time is linear in the input, so no pattern and no
 * input can make a match backtrack catastrophically (`^(a+)+$` on 50 KB of "a" answers at once instead of
 * freezing the process). RE2 has no lookahead, lookbehind or backreferences: a pattern that needs them is a
 * config error, reported by the processor's validate at the config field's path. JS syntax and flags
 * (i, m, s, g, u) keep their meaning; one difference: RE2 always reads text as Unicode code points.
 */
import RE2 from 're2';
import type { ConfigIssue } from '../../sdk';

export const regexFlagsProperty = {
  type: 'string',
  pattern: '^[imsu]*$',
  default: '',
  description:
    'Regex flags: i (ignore case), m (^ and $ match at line breaks), s (. matches newlines), u. Patterns run on RE2 (linear time): no lookaround or backreferences.',
} as const;

const ENGINE_NOTE =
  'Sluice runs regular expressions with RE2 (linear time, so no input can make a match backtrack for ever), which has no lookahead, lookbehind or backreferences';

/** RE2's complaint in words a flow author can act on. */
function explain(re2Message: string): string {
  const m = re2Message;
  if (/\(\?<[=!]/.test(m))
    return `lookbehind is not supported: ${ENGINE_NOTE}; match the text around it and use a capture group instead (RE2: ${m})`;
  if (/\(\?[=!]/.test(m))
    return `lookahead is not supported: ${ENGINE_NOTE}; match the text around it and use a capture group instead (RE2: ${m})`;
  if (/invalid escape sequence: \\([1-9]|k)/.test(m))
    return `backreferences are not supported: ${ENGINE_NOTE} (RE2: ${m})`;
  if (/invalid repetition size/.test(m)) return `a repetition count above 1000 is not supported by RE2 (RE2: ${m})`;
  if (/pattern too large/.test(m)) return `the pattern is too large for RE2 once compiled; simplify it (RE2: ${m})`;
  return `not supported by RE2, the linear-time engine Sluice runs regular expressions with: ${m}`;
}

/** Why this pattern cannot be used, or undefined when it compiles (JavaScript syntax first, then RE2). */
export function regexProblem(source: string, flags = ''): string | undefined {
  try {
    new RegExp(source, flags);
  } catch (err) {
    return `invalid regular expression: ${(err as Error).message}`;
  }
  try {
    new RE2(source, flags);
    return undefined;
  } catch (err) {
    return explain((err as Error).message);
  }
}

/** Compiles a checked pattern to RE2; throws with the same message validate gives. */
export function compileRegex(source: string, flags = ''): RegExp {
  const problem = regexProblem(source, flags);
  if (problem !== undefined) throw new Error(problem);
  return new RE2(source, flags);
}

/** One issue per pattern that cannot be used, at its config path. */
export function checkRegexes(entries: Iterable<[path: string, source: string]>, flags = ''): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [path, source] of entries) {
    const message = regexProblem(source, flags);
    if (message !== undefined) issues.push({ path, message });
  }
  return issues;
}

/** RE2 as a constructor for libraries that take a RegExp class (JSONata's RegexEngine, ajv's code.regExp). */
export const RegexEngine = RE2 as unknown as RegExpConstructor;
