/** Expectations: what passes, and that a failure says what was expected and what arrived. */
import { describe, expect, test } from 'vitest';
import { newFlowFile } from '../engine/flowfile';
import { evaluateExpectation, jsonDifference } from './expectations';

const ff = (content: string, attributes: Record<string, string> = {}) => newFlowFile(content, attributes);

describe('evaluateExpectation', () => {
  test('count: expected and actual numbers', async () => {
    const failures = await evaluateExpectation({ at: 'put', count: 2 }, '/cases/0/expect/0', [ff('a')]);
    expect(failures).toEqual([
      {
        path: '/cases/0/expect/0/count',
        at: 'put',
        message: 'expected 2 FlowFiles at "put", 1 arrived',
        expected: '2',
        actual: '1',
      },
    ]);
  });

  test("an attribute's actual value, or that it is missing", async () => {
    const failures = await evaluateExpectation(
      { at: 'put', attributes: { region: 'eu', id: { matches: '^[0-9]+$' }, gone: 'x' } },
      '/e',
      [ff('a', { region: 'us', id: '12' })],
    );
    expect(failures.map((f) => [f.path, f.expected, f.actual])).toEqual([
      ['/e/attributes/region', '"eu"', '"us"'],
      ['/e/attributes/gone', '"x"', '(no such attribute)'],
    ]);
  });

  test('content: equals shows the first 500 characters, json names the first difference', async () => {
    const long = 'x'.repeat(800);
    const [eq] = await evaluateExpectation({ at: 'p', content: { equals: 'short' } }, '/e', [ff(long)]);
    expect(eq!.actual).toBe(`${'x'.repeat(500)}… (800 characters)`);
    const [json] = await evaluateExpectation({ at: 'p', content: { json: { a: { b: [1, 2] } } } }, '/e', [
      ff('{"a":{"b":[1,3]},"c":true}'),
    ]);
    expect(json!.message).toBe('FlowFile #0 at "p": at /a/b/1: expected 2, got 3');
    expect(await evaluateExpectation({ at: 'p', content: { json: { a: {} } } }, '/e', [ff('{"a":{"z":1}}')])).toEqual(
      [],
    );
  });

  test('where is JSONata over parsed content and attributes; each checks every FlowFile, nth one', async () => {
    const arrived = [ff('{"amount":150}', { k: 'a' }), ff('{"amount":50}', { k: 'b' })];
    expect(await evaluateExpectation({ at: 'p', nth: 0, where: 'content.amount > 100' }, '/e', arrived)).toEqual([]);
    const each = await evaluateExpectation({ at: 'p', each: { where: 'content.amount > 100' } }, '/e', arrived);
    expect(each.map((f) => [f.path, f.message])).toEqual([
      ['/e/each/where', 'FlowFile #1 at "p": content.amount > 100 is not true'],
    ]);
    const missing = await evaluateExpectation({ at: 'p', nth: 5 }, '/e', arrived);
    expect(missing.map((f) => f.path)).toEqual(['/e/nth']);
  });

  test('checks with nothing arrived fail unless a count was the point', async () => {
    expect(await evaluateExpectation({ at: 'p', attributes: { a: 'b' } }, '/e', [])).toHaveLength(1);
    expect(await evaluateExpectation({ at: 'p', count: 0, attributes: { a: 'b' } }, '/e', [])).toEqual([]);
  });
});

test('jsonDifference: subset of objects, equal arrays and scalars', () => {
  expect(jsonDifference({ a: 1 }, { a: 1, b: 2 }, '')).toBeUndefined();
  expect(jsonDifference({ a: 1 }, { b: 2 }, '')).toBe('at /a: expected 1, missing');
  expect(jsonDifference([1], [1, 2], '')).toBe('at /: expected 1 items, got 2');
});
