import jsonata from 'jsonata';
import { describe, expect, test } from 'vitest';
import { boundedJsonata, buildsSequences, ExpressionLimitError, limitsOf } from './jsonata';

const TAIL_LOOP = '($f := function($n){ $f($n + 1) }; $f(0))';
const DEEP = '($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))';

async function limitOf(run: Promise<unknown>): Promise<string | undefined> {
  try {
    await run;
    return undefined;
  } catch (err) {
    return err instanceof ExpressionLimitError ? err.limit : `other: ${String(err)}`;
  }
}

describe('JSONata under a budget', () => {
  test('an infinite tail recursion stops at the time limit', async () => {
    const expr = boundedJsonata(TAIL_LOOP, { timeoutMs: 100, maxDepth: 200 });
    await expect(expr.evaluate({})).rejects.toThrow(/evaluation stopped after 100 ms \(expressionTimeout\)/);
  });

  test('a recursion that never ends stops at the depth limit, without growing the heap', async () => {
    await expect(limitOf(boundedJsonata(DEEP).evaluate({}))).resolves.toBe('depth');
    // A legitimate recursion well inside the limit still works.
    const factorial = boundedJsonata('($f := function($n){ $n <= 1 ? 1 : $n * $f($n - 1) }; $f(20))');
    await expect(factorial.evaluate({})).resolves.toBe(2432902008176640000);
  });

  test('huge ranges and sequences are refused; ordinary ones pass', async () => {
    await expect(limitOf(boundedJsonata('[1..10000000].($*2)').evaluate({}))).resolves.toBe('size');
    await expect(limitOf(boundedJsonata('$count([1..2000000])').evaluate({}))).resolves.toBe('size');
    await expect(boundedJsonata('$sum([1..1000].($*2))').evaluate({})).resolves.toBe(1001000);
    // A recursion that doubles an array each call hits the sequence cap long before memory runs out.
    const doubling = boundedJsonata('($f := function($a){ $f($append($a, $a)) }; $f([1]))');
    await expect(limitOf(doubling.evaluate({}))).resolves.toBe('size');
  });

  test('only expressions that can build large sequences pay for the sequence cap', () => {
    expect(buildsSequences(jsonata('$lowercase(attributes.a) & "x"').ast())).toBe(false);
    expect(buildsSequences(jsonata('content.items[price > 10].sku').ast())).toBe(false);
    expect(buildsSequences(jsonata('[1..attributes.n]').ast())).toBe(true);
    expect(buildsSequences(jsonata('$map(content, function($v){ $v })').ast())).toBe(true);
    expect(buildsSequences(jsonata('($f := $append; $f([1], [2]))').ast())).toBe(true);
  });

  test('the event loop keeps turning while a runaway expression runs', async () => {
    const expr = boundedJsonata(TAIL_LOOP, { timeoutMs: 300, maxDepth: 200 });
    let settled = false;
    const running = expr.evaluate({}).finally(() => {
      settled = true;
    });
    const immediateSawSettled = await new Promise<boolean>((resolve) => setImmediate(() => resolve(settled)));
    const timerSawSettled = await new Promise<boolean>((resolve) => setTimeout(() => resolve(settled), 50));
    expect({ immediateSawSettled, timerSawSettled }).toEqual({ immediateSawSettled: false, timerSawSettled: false });
    await expect(running).rejects.toBeInstanceOf(ExpressionLimitError);
  });

  test('regex literals run on RE2: no catastrophic backtracking inside an expression', async () => {
    const expr = boundedJsonata('$contains($, /^(a+)+$/)');
    await expect(expr.evaluate(`${'a'.repeat(50_000)}!`)).resolves.toBe(false);
    await expect(boundedJsonata('$replace("hello world", /o(r)?/, "0$1")').evaluate({})).resolves.toBe('hell0 w0rld');
  });

  test('limits come from the config, with defaults', () => {
    expect(limitsOf({})).toEqual({ timeoutMs: 1000, maxDepth: 200 });
    expect(limitsOf({ expressionTimeout: 250, expressionMaxDepth: 50 })).toEqual({ timeoutMs: 250, maxDepth: 50 });
  });
});
