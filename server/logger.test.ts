import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { logFormat } from './logger';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * Runs a child process that logs one line through createLogger and exits at once, with stderr a pipe (not a
 * terminal): the format is what a real process writes, and `process.exit` right after shows nothing is lost.
 */
async function logInChild(env: Record<string, string>): Promise<string> {
  const code = [
    "const { createLogger } = await import('./server/logger.ts');",
    "createLogger('info').info({ flow: 'orders', count: 3 }, 'hello from the child');",
    'process.exit(0);',
  ].join('\n');
  const { LOG_FORMAT: _unset, NO_COLOR: _no, ...inherited } = process.env;
  const { stderr } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', code],
    { cwd: ROOT, env: { ...inherited, ...env }, timeout: 20_000 },
  );
  return stderr;
}

describe('logFormat', () => {
  test.each([
    [{}, true, 'pretty'],
    [{}, false, 'json'],
    [{ LOG_FORMAT: 'json' }, true, 'json'],
    [{ LOG_FORMAT: 'pretty' }, false, 'pretty'],
    [{ LOG_FORMAT: ' Pretty ' }, false, 'pretty'],
    [{ LOG_FORMAT: 'yaml' }, true, 'pretty'],
    [{ LOG_FORMAT: 'yaml' }, false, 'json'],
    [{ LOG_FORMAT: '' }, false, 'json'],
  ] as const)('%j on a terminal: %s → %s', (env, isTTY, expected) => {
    expect(logFormat(env, isTTY)).toBe(expected);
  });
});

describe('createLogger writes', () => {
  test('LOG_FORMAT=pretty: a line for people, no JSON, no colour codes off a terminal', async () => {
    const out = await logInChild({ LOG_FORMAT: 'pretty' });
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: hello from the child\n/);
    expect(out).toContain('flow: "orders"');
    expect(out).not.toContain('{"level"');
    expect(out).not.toContain('\u001b[');
  });

  test('LOG_FORMAT=json: one JSON object per line', async () => {
    const lines = (await logInChild({ LOG_FORMAT: 'json' })).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, msg: 'hello from the child', flow: 'orders', count: 3 });
  });

  test('no LOG_FORMAT and stderr not a terminal: JSON', async () => {
    const line = (await logInChild({})).trim();
    expect(JSON.parse(line)).toMatchObject({ level: 30, msg: 'hello from the child' });
  });

  test('an unknown LOG_FORMAT says so once and falls back', async () => {
    const lines = (await logInChild({ LOG_FORMAT: 'yaml' })).trim().split('\n');
    // JSON goes through pino's asynchronous destination, which may flush the last lines out of order at exit.
    expect(lines.map((l) => JSON.parse(l).msg).sort()).toEqual([
      'LOG_FORMAT "yaml" is neither json nor pretty; writing json',
      'hello from the child',
    ]);
  });
});
