import fc from 'fast-check';
import jsonata from 'jsonata';
import { describe, expect, test } from 'vitest';
import { newFlowFile } from '../sdk/testing';
import { BAIL, compileFast } from './expression-fast-path';
import { compileExpression, expressionInput } from './expressions';

const names = ['a', 'b', 'size', 'region'];
const values = fc.oneof(
  fc.constantFrom('', 'eu', 'us', '0', '7', '-3', '2.5', '1e3', '10', 'abc', '007', 'true'),
  fc.integer({ min: -20, max: 20 }).map(String),
);
const attributesArb = fc.dictionary(fc.constantFrom(...names), values, { maxKeys: 4 });

/** Expressions from the fast subset, plus a few outside it, as JSONata text. */
const exprArb: fc.Arbitrary<string> = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.constantFrom(...names).map((n) => `attributes.${n}`),
    fc.constantFrom('"eu"', '"us"', '""', '"10"', '0', '1', '10', '2.5', 'true', 'false', 'null'),
  ),
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    fc
      .tuple(
        tie('expr'),
        fc.constantFrom('=', '!=', '<', '<=', '>', '>=', 'and', 'or', '&', '+', '-', '*', '/', '%'),
        tie('expr'),
      )
      .map(([l, op, r]) => `(${l} ${op} ${r})`),
    fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([c, t, e]) => `(${c} ? ${t} : ${e})`),
    fc.tuple(fc.constantFrom('$number', '$string', '$exists', '$boolean'), tie('expr')).map(([f, a]) => `${f}(${a})`),
  ),
})).expr as fc.Arbitrary<string>;

async function outcome(run: () => unknown): Promise<{ value?: unknown; error?: string }> {
  try {
    return { value: await run() };
  } catch (err) {
    return { error: (err as { code?: string }).code ?? 'error' };
  }
}

describe('JSONata fast path', () => {
  test('agrees with JSONata on generated expressions and attributes (values and errors)', async () => {
    await fc.assert(
      fc.asyncProperty(exprArb, attributesArb, async (source, attributes) => {
        const ff = newFlowFile('', attributes);
        const expected = await outcome(() => jsonata(source).evaluate(expressionInput(ff)));
        const actual = await outcome(() => compileExpression(source).evaluate(ff));
        expect(actual.error !== undefined).toBe(expected.error !== undefined);
        if (expected.error === undefined) expect(actual.value).toEqual(expected.value);
      }),
      { numRuns: 3000 },
    );
  });

  test('compiles the common shapes and leaves the rest to JSONata', () => {
    const ast = (s: string) => jsonata(s).ast() as Parameters<typeof compileFast>[0];
    expect(compileFast(ast('$number(attributes.size) > 10 and attributes.region = "eu"'))).toBeTypeOf('function');
    expect(compileFast(ast('attributes.a & "-" & attributes.b'))).toBeTypeOf('function');
    expect(compileFast(ast('content.order.total > 10'))).toBeUndefined();
    expect(compileFast(ast('$uppercase(attributes.a)'))).toBeUndefined();
    expect(compileFast(ast('attributes.list[0]'))).toBeUndefined();
  });

  test('edge cases bail out to JSONata', () => {
    const f = compileFast(jsonata('$number(attributes.a)').ast() as Parameters<typeof compileFast>[0])!;
    expect(f({ a: '12' })).toBe(12);
    expect(f({ a: '0x1F' })).toBe(BAIL);
    expect(f({})).toBeUndefined();
  });
});

describe('JSONata fast path: only what it fully handles', () => {
  test.each([
    '(attributes.a)[0]',
    '$number(attributes.a)[0]',
    '(attributes.a & "x"){"k": 1}',
    '"a"[0]',
    '(attributes.a = "1")[true]',
  ])('%s (a predicate or a group) is left to JSONata, and the results agree', async (source) => {
    expect(compileFast(jsonata(source).ast() as Parameters<typeof compileFast>[0])).toBeUndefined();
    const ff = newFlowFile('', { a: '1' });
    expect(await compileExpression(source).evaluate(ff)).toEqual(await jsonata(source).evaluate(expressionInput(ff)));
  });
});
