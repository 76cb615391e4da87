/** The user's script as the body of an async function, and its syntax check (compiled, never run). */
import vm from 'node:vm';
import type { ConfigIssue } from '../../sdk';

/** The names a script sees as parameters: absent opt-ins are `undefined`. */
export const SCRIPT_PARAMETERS = ['flowFiles', 'create', 'log', 'env', 'fs', 'fetch'] as const;

/** One line of prefix, so `lineOffset: -1` makes line numbers in errors the script's own. */
export function wrapScript(script: string): string {
  return `(async function (${SCRIPT_PARAMETERS.join(', ')}) {\n${script}\n})`;
}

/** A syntax error as a config issue at `/script`, with the script's line number. */
export function checkScriptSyntax(script: string): ConfigIssue[] {
  try {
    new vm.Script(wrapScript(script), { filename: 'script', lineOffset: -1 });
    return [];
  } catch (err) {
    const line = /^script:(\d+)/.exec(String((err as Error).stack ?? ''))?.[1];
    const message = (err as Error).message ?? String(err);
    return [{ path: '/script', message: `syntax error in the script: ${message}${line ? ` (line ${line})` : ''}` }];
  }
}
