/**
 * Evaluates one expectation of a test case against what arrived at its place, and says what was expected and
 * what arrived (count, an attribute's actual value, the content's first 500 characters, the first JSON
 * difference): the "expected vs actual" the CLI prints and the canvas shows.
 */
import jsonata from 'jsonata';
import type { FlowFile } from '../engine/flowfile';
import type { ExpectationFailure } from './report';
import type { Checks, Expectation } from './test-schema';

const SHOWN_CHARS = 500;

/** `path` is the expectation's JSON pointer (`/cases/0/expect/1`). */
export async function evaluateExpectation(
  expectation: Expectation,
  path: string,
  arrived: readonly FlowFile[],
): Promise<ExpectationFailure[]> {
  const failures: ExpectationFailure[] = [];
  const at = expectation.at;
  const fail = (sub: string, message: string, expected: string, actual: string) =>
    failures.push({ path: `${path}${sub}`, at, message, expected, actual });

  if (expectation.count !== undefined && arrived.length !== expectation.count)
    fail(
      '/count',
      `expected ${plural(expectation.count)} at "${at}", ${arrived.length} arrived`,
      String(expectation.count),
      String(arrived.length),
    );
  const own: Checks = { attributes: expectation.attributes, content: expectation.content, where: expectation.where };
  const hasOwn = own.attributes !== undefined || own.content !== undefined || own.where !== undefined;
  if (expectation.nth !== undefined) {
    const ff = arrived[expectation.nth];
    if (!ff)
      fail('/nth', `no FlowFile #${expectation.nth} at "${at}"`, `#${expectation.nth}`, `${arrived.length} arrived`);
    else if (hasOwn) await check(own, ff, expectation.nth, '', at, fail);
  } else if (hasOwn) await checkAll(own, '', arrived, expectation, at, fail);
  if (expectation.each) await checkAll(expectation.each, '/each', arrived, expectation, at, fail);
  return failures;
}

type Fail = (sub: string, message: string, expected: string, actual: string) => void;

/** Every FlowFile must pass; only the first one that fails is reported. */
async function checkAll(
  checks: Checks,
  sub: string,
  arrived: readonly FlowFile[],
  expectation: Expectation,
  at: string,
  fail: Fail,
): Promise<void> {
  if (arrived.length === 0) {
    if (expectation.count === undefined) fail(sub, `expected FlowFiles at "${at}", none arrived`, '≥ 1', '0');
    return;
  }
  for (let i = 0; i < arrived.length; i++) if (await check(checks, arrived[i]!, i, sub, at, fail)) return;
}

/** True when the FlowFile failed a check (which was reported). */
async function check(checks: Checks, ff: FlowFile, n: number, sub: string, at: string, fail: Fail): Promise<boolean> {
  const which = `FlowFile #${n} at "${at}"`;
  let failed = false;
  for (const [name, want] of Object.entries(checks.attributes ?? {})) {
    const actual = ff.attributes[name];
    const ok =
      actual !== undefined && (typeof want === 'string' ? actual === want : safeRegex(want.matches).test(actual));
    if (ok) continue;
    failed = true;
    const expected = typeof want === 'string' ? JSON.stringify(want) : `matches /${want.matches}/`;
    const shown = actual === undefined ? '(no such attribute)' : JSON.stringify(actual);
    fail(
      `${sub}/attributes/${pointerToken(name)}`,
      `${which}: attribute "${name}" ${expected}, got ${shown}`,
      expected,
      shown,
    );
  }
  const text = ff.content.toString('utf8');
  const content = checks.content;
  if (content?.equals !== undefined && text !== content.equals) {
    failed = true;
    fail(`${sub}/content/equals`, `${which}: content differs`, shorten(content.equals), shorten(text));
  } else if (content?.contains !== undefined && !text.includes(content.contains)) {
    failed = true;
    fail(
      `${sub}/content/contains`,
      `${which}: content does not contain the text`,
      shorten(content.contains),
      shorten(text),
    );
  } else if (content && 'json' in content) {
    const parsed = parseJson(text);
    const difference = parsed.ok ? jsonDifference(content.json, parsed.value, '') : 'content is not JSON';
    if (difference) {
      failed = true;
      fail(`${sub}/content/json`, `${which}: ${difference}`, shorten(JSON.stringify(content.json)), shorten(text));
    }
  }
  if (checks.where !== undefined) {
    const parsed = parseJson(text);
    const input = { content: parsed.ok ? parsed.value : text, attributes: ff.attributes };
    let result: unknown;
    try {
      result = await jsonata(checks.where).evaluate(input);
    } catch (err) {
      result = `error: ${(err as Error).message}`;
    }
    if (result !== true) {
      failed = true;
      fail(
        `${sub}/where`,
        `${which}: ${checks.where} is not true`,
        'true',
        shorten(JSON.stringify(result) ?? 'undefined'),
      );
    }
  }
  return failed;
}

/**
 * Where `actual` does not contain `expected` (objects: every expected key, recursively; arrays and scalars:
 * equal), as "at /a/0: expected …, got …"; undefined when it does.
 */
export function jsonDifference(expected: unknown, actual: unknown, path: string): string | undefined {
  if (isObject(expected) && isObject(actual)) {
    for (const [key, value] of Object.entries(expected)) {
      const sub = `${path}/${pointerToken(key)}`;
      if (!(key in actual)) return `at ${sub}: expected ${JSON.stringify(value)}, missing`;
      const d = jsonDifference(value, actual[key], sub);
      if (d) return d;
    }
    return undefined;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length)
      return `at ${path || '/'}: expected ${expected.length} items, got ${actual.length}`;
    for (let i = 0; i < expected.length; i++) {
      const d = jsonDifference(expected[i], actual[i], `${path}/${i}`);
      if (d) return d;
    }
    return undefined;
  }
  if (JSON.stringify(expected) === JSON.stringify(actual)) return undefined;
  return `at ${path || '/'}: expected ${JSON.stringify(expected)}, got ${shorten(JSON.stringify(actual) ?? 'undefined', 200)}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function safeRegex(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch {
    return /(?!)/; // matches nothing: the failure shows the pattern
  }
}

function shorten(text: string, max = SHOWN_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** A JSON pointer token. */
function pointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

function plural(n: number): string {
  return `${n} FlowFile${n === 1 ? '' : 's'}`;
}
