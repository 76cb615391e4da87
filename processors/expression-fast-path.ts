/**
 * A synchronous evaluator for the small subset of JSONata that most routing and tagging expressions use
 * (literals, `attributes.name`, comparisons, and/or, `&`, arithmetic, `? :`, $number/$string/$exists/$boolean).
 * JSONata's own evaluator is asynchronous and allocates per step; over a batch that dominates the cost.
 * Anything outside the subset is not compiled, and any edge case at run time (a type mismatch, a number that
 * is not plain) answers BAIL so the caller evaluates that FlowFile with JSONata itself: results and errors
 * stay JSONata's. expression-fast-path.test.ts checks both agree on generated expressions.
 *
 * Bounded by construction, so it runs outside the JSONata budget: no loops, no functions, no recursion; the
 * work is linear in the size of the expression. A node with any key the subset does not know is not compiled.
 */

export const BAIL: unique symbol = Symbol('bail');
export type FastExpression = (attributes: Readonly<Record<string, string>>) => unknown;

interface Node {
  type: string;
  value?: unknown;
  steps?: Node[];
  lhs?: Node;
  rhs?: Node;
  condition?: Node;
  then?: Node;
  else?: Node;
  arguments?: Node[];
  procedure?: Node;
  expressions?: Node[];
}

const NUMBER_TEXT = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/;

/**
 * The keys each compiled node type may carry. Anything else (a predicate `[...]`, a group `{...}`, stages, a
 * focus or index binding) changes the meaning, so such a node is left to JSONata rather than half-compiled.
 */
const KEYS: Record<string, ReadonlySet<string>> = {
  literal: new Set(['type', 'value', 'position']),
  path: new Set(['type', 'steps']),
  block: new Set(['type', 'position', 'expressions']),
  binary: new Set(['type', 'value', 'position', 'lhs', 'rhs']),
  condition: new Set(['type', 'position', 'condition', 'then', 'else']),
  function: new Set(['type', 'value', 'position', 'arguments', 'procedure']),
};

function only(node: Node, kind: keyof typeof KEYS): boolean {
  const allowed = KEYS[kind]!;
  // Own keys only: the parser builds nodes on prototypes (nud, led, lbp); a key set to undefined is absent.
  for (const [k, v] of Object.entries(node)) if (v !== undefined && !allowed.has(k)) return false;
  return true;
}

const plain = (node: Node): boolean => only(node, 'literal');

/** JSONata's $boolean for the primitive values the subset produces. */
function boolize(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  return v === true;
}

const finite = (n: number): number | typeof BAIL => (Number.isFinite(n) ? n : BAIL);

function binary(op: string, l: FastExpression, r: FastExpression): FastExpression | undefined {
  switch (op) {
    case 'and':
      return (a) => {
        const x = l(a);
        if (x === BAIL) return BAIL;
        if (!boolize(x)) return false;
        const y = r(a);
        return y === BAIL ? BAIL : boolize(y);
      };
    case 'or':
      return (a) => {
        const x = l(a);
        if (x === BAIL) return BAIL;
        if (boolize(x)) return true;
        const y = r(a);
        return y === BAIL ? BAIL : boolize(y);
      };
    case '=':
    case '!=':
      return (a) => {
        const x = l(a);
        const y = r(a);
        if (x === BAIL || y === BAIL) return BAIL;
        if (x === undefined || y === undefined) return false;
        if (typeof x === 'object' || typeof y === 'object') return x === null && y === null ? op === '=' : BAIL;
        return op === '=' ? x === y : x !== y;
      };
    case '<':
    case '<=':
    case '>':
    case '>=':
      return (a) => {
        const x = l(a);
        const y = r(a);
        if (x === BAIL || y === BAIL) return BAIL;
        const tx = typeof x;
        const ty = typeof y;
        if (
          (tx !== 'string' && tx !== 'number' && tx !== 'undefined') ||
          (ty !== 'string' && ty !== 'number' && ty !== 'undefined')
        )
          return BAIL;
        if (x === undefined || y === undefined) return undefined;
        if (tx !== ty) return BAIL;
        const p = x as number;
        const q = y as number;
        return op === '<' ? p < q : op === '<=' ? p <= q : op === '>' ? p > q : p >= q;
      };
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return (a) => {
        const x = l(a);
        const y = r(a);
        if (x === BAIL || y === BAIL) return BAIL;
        if ((x !== undefined && typeof x !== 'number') || (y !== undefined && typeof y !== 'number')) return BAIL;
        if (x === undefined || y === undefined) return undefined;
        const result = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : x % y;
        return finite(result);
      };
    case '&':
      return (a) => {
        const x = l(a);
        const y = r(a);
        if (x === BAIL || y === BAIL) return BAIL;
        if ((x !== undefined && typeof x !== 'string') || (y !== undefined && typeof y !== 'string')) return BAIL;
        return (x ?? '') + (y ?? '');
      };
    default:
      return undefined;
  }
}

function call(name: string, arg: FastExpression): FastExpression | undefined {
  switch (name) {
    case 'number':
      return (a) => {
        const v = arg(a);
        if (v === BAIL || v === undefined) return v;
        if (typeof v === 'number') return v;
        if (typeof v === 'string' && NUMBER_TEXT.test(v)) return finite(Number(v));
        return BAIL;
      };
    case 'string':
      return (a) => {
        const v = arg(a);
        if (v === BAIL || v === undefined || typeof v === 'string') return v;
        if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
        if (typeof v === 'boolean') return String(v);
        return BAIL;
      };
    case 'exists':
      return (a) => {
        const v = arg(a);
        return v === BAIL ? BAIL : v !== undefined;
      };
    case 'boolean':
      return (a) => {
        const v = arg(a);
        return v === BAIL || v === undefined ? v : boolize(v);
      };
    default:
      return undefined;
  }
}

/** Compiles a JSONata AST to a synchronous function, or undefined when it is outside the subset. */
export function compileFast(node: Node): FastExpression | undefined {
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value': {
      if (!plain(node)) return undefined;
      const v = node.value;
      return () => v;
    }
    case 'path': {
      const steps = node.steps ?? [];
      if (steps.length !== 2 || !steps.every((s) => s.type === 'name' && plain(s)) || steps[0]!.value !== 'attributes')
        return undefined;
      if (!only(node, 'path')) return undefined;
      const name = String(steps[1]!.value);
      return (a) => (Object.hasOwn(a, name) ? a[name] : undefined);
    }
    case 'block': {
      if (!only(node, 'block') || node.expressions?.length !== 1) return undefined;
      return compileFast(node.expressions[0]!);
    }
    case 'binary': {
      if (!only(node, 'binary')) return undefined;
      const l = node.lhs && compileFast(node.lhs);
      const r = node.rhs && compileFast(node.rhs);
      return l && r ? binary(String(node.value), l, r) : undefined;
    }
    case 'condition': {
      if (!only(node, 'condition')) return undefined;
      const c = node.condition && compileFast(node.condition);
      const t = node.then && compileFast(node.then);
      const e = node.else ? compileFast(node.else) : () => undefined;
      if (!c || !t || !e) return undefined;
      return (a) => {
        const v = c(a);
        if (v === BAIL) return BAIL;
        return boolize(v) ? t(a) : e(a);
      };
    }
    case 'function': {
      const proc = node.procedure;
      if (!only(node, 'function') || proc?.type !== 'variable' || !plain(proc) || node.arguments?.length !== 1)
        return undefined;
      const arg = compileFast(node.arguments[0]!);
      return arg && call(String(proc.value), arg);
    }
    default:
      return undefined;
  }
}
