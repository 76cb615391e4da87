/**
 * PartitionRecord's keys: each `partitionBy` entry evaluated per record. A plain field name or dotted path
 * (`region`, `customer.country`) is read directly, which is what makes a million records fast; anything else,
 * or a path that meets an array on the way (JSONata would map over it), is JSONata over the record under the
 * configured limits (the SDK's bounded compileExpression). A value becomes an attribute value as JSONata
 * processors write them: a string as is, a number or boolean as text, an object or array as JSON; null or
 * missing means no attribute.
 */
import { type CompiledExpression, compileExpression, type ExpressionLimits, type RecordObject } from '../../sdk';
import { toAttributeValue } from '../expressions';

const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** Words JSONata reads as something other than a field. */
const RESERVED = new Set(['true', 'false', 'null', 'and', 'or', 'in']);

const BAIL: unique symbol = Symbol('bail');

/** The field path's value, or BAIL when JSONata must decide (an array on the way or at the end). */
function readPath(record: RecordObject, steps: readonly string[]): unknown {
  let value: unknown = record;
  for (const step of steps) {
    if (Array.isArray(value)) return BAIL;
    if (value === null || typeof value !== 'object') return undefined;
    value = Object.hasOwn(value, step) ? (value as RecordObject)[step] : undefined;
  }
  return Array.isArray(value) ? BAIL : value;
}

export interface PartitionKey {
  attribute: string;
  source: string;
  /** The attribute value for one record; undefined = no attribute. A Promise only on the JSONata path. */
  valueOf(record: RecordObject): string | undefined | Promise<string | undefined>;
}

/** True when `source` is read directly, without JSONata. */
export function isFieldPath(source: string): boolean {
  const trimmed = source.trim();
  return FIELD_PATH.test(trimmed) && !trimmed.split('.').some((s) => RESERVED.has(s));
}

export function compileKey(attribute: string, source: string, limits: ExpressionLimits): PartitionKey {
  const compiled: CompiledExpression = compileExpression(source, limits);
  const slow = async (record: RecordObject) => {
    const value = await compiled.evaluateWith(record);
    return value === null ? undefined : toAttributeValue(value);
  };
  if (!isFieldPath(source)) return { attribute, source, valueOf: slow };
  const steps = source.trim().split('.');
  return {
    attribute,
    source,
    valueOf(record) {
      const value = readPath(record, steps);
      if (value === BAIL) return slow(record);
      if (value === undefined || value === null) return undefined;
      return typeof value === 'string' ? value : toAttributeValue(value);
    },
  };
}
