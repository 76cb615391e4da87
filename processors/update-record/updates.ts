/**
 * UpdateRecord's updates, compiled once: field path → JSONata expression evaluated with the record as input. An
 * expression that is a plain field reference (`price`, `address.city`) is read directly, without JSONata's
 * asynchronous evaluator; anything else, or a value the direct read cannot give exactly as JSONata would (an
 * array on the way), goes through JSONata under its limits.
 */
import jsonata from 'jsonata';
import { type ConfigIssue, compileExpression, type ExpressionLimits, type RecordObject } from '../../sdk';
import { pointer } from '../expressions';
import { fieldPath } from '../record-fields';

export interface CompiledUpdate {
  /** The field path as configured ("address.city"). */
  field: string;
  path: string[];
  /** The value for one record: plain on the fast path, else a Promise. */
  evaluate(record: RecordObject): unknown;
}

const SLOW = Symbol('slow');

/** The names of a path made only of plain field names (no filters, no wildcards); undefined otherwise. */
function plainPath(source: string): string[] | undefined {
  const ast = jsonata(source).ast() as { type: string; steps?: { type: string; value?: unknown }[] } & object;
  if (ast.type !== 'path' || Object.keys(ast).some((k) => k !== 'type' && k !== 'steps')) return undefined;
  const steps = ast.steps ?? [];
  const plain = steps.every(
    (s) =>
      s.type === 'name' &&
      typeof s.value === 'string' &&
      Object.entries(s).every(([k, v]) => v === undefined || k === 'type' || k === 'value' || k === 'position'),
  );
  return plain && steps.length > 0 ? steps.map((s) => s.value as string) : undefined;
}

/** A direct read of `names`; SLOW when JSONata's sequence rules could make a difference (arrays). */
function directRead(names: readonly string[]): (record: RecordObject) => unknown {
  return (record) => {
    let current: unknown = record;
    for (const name of names) {
      if (current === null || typeof current !== 'object') return undefined;
      if (Array.isArray(current)) return SLOW;
      if (!Object.hasOwn(current, name)) return undefined;
      current = (current as RecordObject)[name];
    }
    return Array.isArray(current) ? SLOW : current;
  };
}

export function compileUpdates(updates: Record<string, string>, limits: ExpressionLimits): CompiledUpdate[] {
  return Object.entries(updates).map(([field, source]) => {
    const compiled = compileExpression(source, limits);
    const slow = (record: RecordObject) => compiled.evaluateWith(record);
    const names = plainPath(source);
    if (!names) return { field, path: fieldPath(field), evaluate: slow };
    const direct = directRead(names);
    return {
      field,
      path: fieldPath(field),
      evaluate: (record) => {
        const value = direct(record);
        return value === SLOW ? slow(record) : value;
      },
    };
  });
}

/** Field paths with an empty name in them ("a..b", ".a", ""). */
export function fieldPathIssues(updates: Record<string, string>): ConfigIssue[] {
  return Object.keys(updates)
    .filter((field) => fieldPath(field).some((name) => name === ''))
    .map((field) => ({
      path: `/updates/${pointer(field)}`,
      message: `"${field}" is not a field path: names separated by dots, none empty (e.g. "total", "address.city")`,
    }));
}
