/**
 * Fields of records for the record processors: dotted field paths (`address.city`) read and written, and the
 * record schema after a processor set fields (their types as seen in the records, new fields appended).
 */
import type { FieldType, RecordObject, RecordSchema } from '../sdk';

/** A dotted field path as its names: "address.city" → ["address", "city"]. */
export function fieldPath(path: string): string[] {
  return path.split('.');
}

const isObject = (v: unknown): v is RecordObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The value at `path`; undefined when a step is missing or not an object. */
export function getField(record: RecordObject, path: readonly string[]): unknown {
  let current: unknown = record;
  for (const name of path) {
    if (!isObject(current) || !Object.hasOwn(current, name)) return undefined;
    current = current[name];
  }
  return current;
}

/** Sets the value at `path`, creating (or replacing non-object values with) nested objects on the way. */
export function setField(record: RecordObject, path: readonly string[], value: unknown): void {
  let current = record;
  for (const name of path.slice(0, -1)) {
    const next = Object.hasOwn(current, name) ? current[name] : undefined;
    if (isObject(next)) current = next;
    else {
      const created: RecordObject = {};
      current[name] = created;
      current = created;
    }
  }
  current[path[path.length - 1]!] = value;
}

/** The field type of a JSON value. */
export function typeOf(value: unknown): FieldType {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'object') return 'object';
  return 'string';
}

/** The one type, or the list of types, the values of `field` have in `records`; undefined when none has it. */
function observedType(records: readonly RecordObject[], field: string): FieldType | FieldType[] | undefined {
  const seen = new Set<FieldType>();
  for (const r of records) if (Object.hasOwn(r, field)) seen.add(typeOf(r[field]));
  if (seen.has('integer') && seen.has('number')) seen.delete('integer');
  const types = [...seen];
  if (types.length === 0) return undefined;
  return types.length === 1 ? types[0] : types;
}

/**
 * `schema` with the top-level `fields` typed as the values in `records` show (a field that already had a type
 * keeps nothing else of its old schema, which no longer describes it); new fields come last, in the order given.
 * Set fields are no longer required.
 */
export function schemaWithFields(
  schema: RecordSchema,
  records: readonly RecordObject[],
  fields: Iterable<string>,
): RecordSchema {
  const properties = { ...schema.properties };
  const changed = new Set(fields);
  for (const field of changed) {
    const type = observedType(records, field);
    if (type === undefined && Object.hasOwn(properties, field)) continue;
    properties[field] = type === undefined ? {} : { type };
  }
  const required = schema.required?.filter((f) => !changed.has(f));
  return { ...schema, properties, ...(required ? { required } : {}) };
}
