/**
 * JSONata under a budget. Every evaluation has a time limit and a depth limit, sequences (ranges, path results)
 * are capped, and regex literals run on RE2; a runaway expression (an infinite tail recursion, a recursion that
 * never ends, `[1..10000000].($*2)`) throws an ExpressionLimitError instead of freezing or exhausting the process.
 *
 * JSONata 2.x evaluates every AST node through an async `evaluate` that awaits the `__evaluate_entry` hook (the
 * hook its own test suite's timeboxExpression uses). The evaluation is a chain of resolved promises, which runs
 * as microtasks: without help it starves the event loop until it finishes (HTTP, timers and signals wait). So the
 * entry hook, every few dozen nodes, (1) checks this evaluation's time, (2) when the event loop has not turned for
 * a slice, awaits a macrotask (setImmediate) so HTTP keeps answering, and does not count that wait against the
 * evaluation. Depth and sequence size use JSONata's own `stack` and `sequence` guardrails (checked per node).
 *
 * `SLUICE_EXPRESSION_LIMITS=off` (read once at start) evaluates without the hook and the guardrails: for
 * benchmarks that compare both; never for a server that runs flows it does not trust.
 */
import jsonata from 'jsonata';
import { RegexEngine } from './regex';

export interface ExpressionLimits {
  /** Evaluation time, excluding the time it yielded to the event loop. */
  timeoutMs: number;
  /** Nesting of evaluation steps: recursion and deeply nested expressions. */
  maxDepth: number;
}

export const DEFAULT_TIMEOUT = '1 s';
const DEFAULT_TIMEOUT_MS = 1000;
export const DEFAULT_MAX_DEPTH = 200;
export const DEFAULT_LIMITS: ExpressionLimits = {
  timeoutMs: DEFAULT_TIMEOUT_MS,
  maxDepth: DEFAULT_MAX_DEPTH,
};
/** Most items one sequence (a range, a path result) may hold. */
export const MAX_SEQUENCE = 1_000_000;
/** How long evaluations may keep the event loop from turning before one of them yields. */
const SLICE_MS = 10;
/** Hook calls between two clock reads. */
const CHECK_EVERY = 32;

export const limitsEnabled: boolean = process.env.SLUICE_EXPRESSION_LIMITS !== 'off';

/** Config properties of a processor that evaluates JSONata; spread them into its schema's properties. */
export const expressionLimitProperties = {
  // duration() of server/engine/config-formats.ts, written out: that module imports this one.
  expressionTimeout: {
    type: 'string',
    'x-format': 'duration',
    default: DEFAULT_TIMEOUT,
    description:
      'Longest one expression may run for one FlowFile (e.g. "1 s", "200 ms"); beyond it the FlowFile goes to failure.',
  },
  expressionMaxDepth: {
    type: 'integer',
    minimum: 10,
    maximum: 5000,
    default: DEFAULT_MAX_DEPTH,
    description:
      'Deepest nesting of evaluation steps one expression may reach (recursive functions count each call); beyond it the FlowFile goes to failure.',
  },
} as const;

/** The limits a config with expressionLimitProperties sets (expressionTimeout parsed: milliseconds). */
export function limitsOf(config: { expressionTimeout?: number; expressionMaxDepth?: number }): ExpressionLimits {
  return {
    timeoutMs: config.expressionTimeout ?? DEFAULT_LIMITS.timeoutMs,
    maxDepth: config.expressionMaxDepth ?? DEFAULT_LIMITS.maxDepth,
  };
}

export type LimitKind = 'time' | 'depth' | 'size';

/** An evaluation stopped by its budget. */
export class ExpressionLimitError extends Error {
  constructor(
    readonly limit: LimitKind,
    message: string,
  ) {
    super(message);
    this.name = 'ExpressionLimitError';
  }
}

// Whether the event loop has turned since an evaluation last looked: `pendingSince` is when a setImmediate was
// queued to find out (-1: none pending). While it has not run, microtasks are keeping the loop busy.
let pendingSince = -1;
const turned = () => {
  pendingSince = -1;
};
function loopStarved(now: number): boolean {
  if (pendingSince < 0) {
    pendingSince = now;
    setImmediate(turned);
    return false;
  }
  return now - pendingSince > SLICE_MS;
}

interface Budget {
  start: number;
  /** Time spent yielding to the event loop, not counted against the limit. */
  waited: number;
  calls: number;
}
const BUDGET = Symbol('sluice.budget');
type Env = { base: { [BUDGET]?: Budget } };

function timeLimitError(limits: ExpressionLimits): ExpressionLimitError {
  return new ExpressionLimitError(
    'time',
    `evaluation stopped after ${limits.timeoutMs} ms (expressionTimeout): check for an infinite loop or recursion, or raise the limit`,
  );
}

function entryHook(limits: ExpressionLimits) {
  return (_node: unknown, _input: unknown, env: Env): Promise<void> | undefined => {
    const base = env.base;
    let budget = base[BUDGET];
    if (budget === undefined) {
      budget = { start: performance.now(), waited: 0, calls: 0 };
      base[BUDGET] = budget;
    }
    if (++budget.calls % CHECK_EVERY !== 0) return undefined;
    const now = performance.now();
    if (now - budget.start - budget.waited > limits.timeoutMs) throw timeLimitError(limits);
    if (!loopStarved(now)) return undefined;
    const b = budget;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        b.waited += performance.now() - now;
        resolve();
      }),
    );
  };
}

/** JSONata's own guardrail errors (and a native stack overflow) as ExpressionLimitErrors. */
function translate(err: unknown, limits: ExpressionLimits): unknown {
  if (err instanceof ExpressionLimitError) return err;
  const code = (err as { code?: unknown } | undefined)?.code;
  if (code === 'D1011' || (err instanceof RangeError && /call stack/i.test(err.message)))
    return new ExpressionLimitError(
      'depth',
      `evaluation went deeper than ${limits.maxDepth} levels (expressionMaxDepth): check for a recursion that does not end, rewrite it tail-recursive, or raise the limit`,
    );
  if (code === 'D2014' || code === 'D2015')
    return new ExpressionLimitError(
      'size',
      `a sequence would hold more than ${MAX_SEQUENCE} items (the limit for one expression): ${(err as Error).message}`,
    );
  if (code === 'D1012') return timeLimitError(limits);
  return err;
}

export interface BoundedJsonata {
  readonly source: string;
  /** JSONata's AST, for the synchronous fast path. */
  readonly ast: jsonata.ExprNode;
  /** Evaluates under the limits; throws ExpressionLimitError when one is exceeded, JSONata's errors otherwise. */
  evaluate(input: unknown): Promise<unknown>;
}

/** Parses once (throws JSONata's syntax error); evaluations run under `limits`. */
export function boundedJsonata(source: string, limits: ExpressionLimits = DEFAULT_LIMITS): BoundedJsonata {
  if (!limitsEnabled) {
    const expr = jsonata(source, { RegexEngine });
    return { source, ast: expr.ast(), evaluate: (input) => expr.evaluate(input) };
  }
  const ast = jsonata(source).ast();
  const expr = jsonata(source, {
    RegexEngine,
    stack: limits.maxDepth,
    ...(buildsSequences(ast) ? { sequence: MAX_SEQUENCE } : {}),
  });
  expr.assign(Symbol.for('jsonata.__evaluate_entry') as unknown as string, entryHook(limits));
  return {
    source,
    ast,
    evaluate: async (input) => {
      try {
        return await expr.evaluate(input);
      } catch (err) {
        throw translate(err, limits);
      }
    },
  };
}

/**
 * Whether an expression can build a sequence far larger than its input: a range, a function (a recursion can
 * append for ever) or $append (doubling). Only those get JSONata's sequence cap: it wraps the push of every
 * sequence, which costs about half the speed of a plain expression (measured on the linear flow), while one
 * without these builds at most its input times its own size, and the time limit still holds.
 */
export function buildsSequences(ast: jsonata.ExprNode): boolean {
  for (const node of astNodes(ast)) {
    const { type, value } = node as { type: string; value?: unknown };
    if ((type === 'binary' && value === '..') || type === 'lambda') return true;
    if (type === 'variable' && value === 'append') return true;
  }
  return false;
}

/** Every node of a JSONata AST (iteratively: a deeply nested expression must not overflow the stack here). */
export function* astNodes(ast: jsonata.ExprNode): Generator<jsonata.ExprNode> {
  const stack: unknown[] = [ast];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object' || seen.has(node) || node instanceof RegExp) continue;
    seen.add(node);
    if (typeof (node as { type?: unknown }).type === 'string') yield node as jsonata.ExprNode;
    for (const value of Object.values(node)) stack.push(value);
  }
}
