/**
 * JSONata over a FlowFile: expressions see `{ attributes, content }`, content parsed as JSON when it is
 * JSON, else a UTF-8 string. Content is only decoded when an expression reads it. Every evaluation runs under
 * a budget (bounded/jsonata.ts); the synchronous fast path is bounded by construction.
 */
import jsonata from 'jsonata';
import type { ConfigIssue, FlowFile } from '../sdk';
import { astNodes, boundedJsonata, DEFAULT_LIMITS, type ExpressionLimits, MAX_SEQUENCE } from './bounded/jsonata';
import { regexProblem } from './bounded/regex';
import { BAIL, compileFast } from './expression-fast-path';

export interface CompiledExpression {
  readonly source: string;
  /** The value for one FlowFile: a plain value on the fast path, else a Promise (always `await` it). */
  evaluate(ff: FlowFile): unknown;
  /** Evaluates against a prepared input, e.g. `{ attributes, content }` with content already parsed. */
  evaluateWith(input: unknown): Promise<unknown>;
}

export function contentValue(content: Buffer): unknown {
  const text = content.toString('utf8');
  const first = text.trimStart()[0];
  if (first === '{' || first === '[' || first === '"') {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  if (/^\s*(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)\s*$/.test(text)) return JSON.parse(text);
  return text;
}

/** The input an expression sees; `content` is decoded on first access. */
export function expressionInput(ff: FlowFile): { attributes: Readonly<Record<string, string>>; content: unknown } {
  let decoded: { value: unknown } | undefined;
  return {
    attributes: ff.attributes,
    get content() {
      decoded ??= { value: contentValue(ff.content) };
      return decoded.value;
    },
  };
}

/**
 * Compiles once; throws with JSONata's message and position when the expression is broken. Evaluations that
 * exceed `limits` throw an ExpressionLimitError.
 */
export function compileExpression(source: string, limits: ExpressionLimits = DEFAULT_LIMITS): CompiledExpression {
  const expr = boundedJsonata(source, limits);
  const fast = compileFast(expr.ast as Parameters<typeof compileFast>[0]);
  const slow = (ff: FlowFile) => expr.evaluate(expressionInput(ff));
  return {
    source,
    // The common subset runs synchronously; anything else (or an edge case) goes through JSONata.
    evaluate: fast
      ? (ff) => {
          const value = fast(ff.attributes);
          return value === BAIL ? slow(ff) : value;
        }
      : slow,
    evaluateWith: (input) => expr.evaluate(input),
  };
}

/**
 * Checks expressions for a validate hook: one issue per broken expression, at its config path. Also refused:
 * regex literals RE2 cannot run, and constant ranges larger than an evaluation may build (cheap to see; the
 * runtime budget is the real guard).
 */
export function checkExpressions(entries: Iterable<[path: string, source: string]>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [path, source] of entries) {
    let ast: jsonata.ExprNode;
    try {
      ast = jsonata(source).ast();
    } catch (err) {
      const e = err as { message?: string; position?: number };
      const message = err instanceof RangeError ? 'the expression is nested too deeply' : (e.message ?? String(err));
      issues.push({
        path,
        message: `invalid JSONata expression: ${message}${e.position !== undefined ? ` (at character ${e.position})` : ''}`,
      });
      continue;
    }
    const problem = hostileConstant(ast);
    if (problem) issues.push({ path, message: problem });
  }
  return issues;
}

/** A regex literal RE2 refuses, or a range of constant bounds beyond MAX_SEQUENCE; undefined when neither. */
function hostileConstant(ast: jsonata.ExprNode): string | undefined {
  for (const node of astNodes(ast)) {
    const { type, value, lhs, rhs } = node as {
      type: string;
      value?: unknown;
      lhs?: jsonata.ExprNode;
      rhs?: jsonata.ExprNode;
    };
    if (type === 'regex' && value instanceof RegExp) {
      const problem = regexProblem(value.source, value.flags.replace('g', ''));
      if (problem) return `regular expression /${value.source}/: ${problem}`;
    }
    if (type === 'binary' && value === '..' && lhs?.type === 'number' && rhs?.type === 'number') {
      const size = Number(rhs.value) - Number(lhs.value) + 1;
      if (size > MAX_SEQUENCE)
        return `the range [${lhs.value}..${rhs.value}] has ${size} items, more than one expression may build (${MAX_SEQUENCE})`;
    }
  }
  return undefined;
}

/** JSONata's truthiness: empty arrays, "", 0, null, undefined and false are false. */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(isTruthy);
  return Boolean(value);
}

/** An expression result as an attribute value; undefined means "no value". */
export function toAttributeValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Escapes a map key for a JSON pointer segment. */
export function pointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
