/** Regular expressions from configs: checked in validate (a bad one is a config error), compiled in setup. */
import type { ConfigIssue } from '../server/engine/contract';

export const regexFlagsProperty = {
  type: 'string',
  pattern: '^[imsu]*$',
  default: '',
  description: 'JavaScript regex flags: i (ignore case), m (^ and $ match at line breaks), s (. matches newlines), u.',
} as const;

/** One issue per pattern that does not compile, at its config path. */
export function checkRegexes(entries: Iterable<[path: string, source: string]>, flags = ''): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [path, source] of entries) {
    try {
      new RegExp(source, flags);
    } catch (err) {
      issues.push({ path, message: `invalid regular expression: ${(err as Error).message}` });
    }
  }
  return issues;
}
