/**
 * What a processor's config schema says about one place in a config: whether it holds a secret
 * (`"x-sensitive": true`) and whether it wants a number, an integer or a boolean rather than a string. The walk
 * follows `properties`, `patternProperties`, `additionalProperties`, `prefixItems`, `items` and the branches of
 * `anyOf`/`oneOf`/`allOf` (every branch is a candidate); `$ref` is not followed (processor schemas have none).
 */

export type Schema = Record<string, unknown>;

/** A key of an object (string) or an index of an array (number). */
export type ConfigKey = string | number;

function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A schema and, recursively, the branches of its combinators. */
export function expand(schema: unknown, out: Schema[] = [], depth = 0): Schema[] {
  if (!isSchema(schema) || depth > 16) return out;
  out.push(schema);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches)) for (const b of branches) expand(b, out, depth + 1);
  }
  return out;
}

/** The candidate schemas of a child (`key` of an object, or index of an array) of a value the candidates describe. */
export function childSchemas(candidates: readonly Schema[], key: ConfigKey): Schema[] {
  const out: Schema[] = [];
  for (const s of candidates) {
    if (typeof key === 'number') {
      const prefix = s.prefixItems;
      if (Array.isArray(prefix) && key < prefix.length) expand(prefix[key], out);
      else if (isSchema(s.items)) expand(s.items, out);
      continue;
    }
    const properties = s.properties;
    if (isSchema(properties) && Object.hasOwn(properties, key)) {
      expand(properties[key], out);
      continue;
    }
    let matched = false;
    const patterns = s.patternProperties;
    if (isSchema(patterns))
      for (const [pattern, sub] of Object.entries(patterns)) {
        try {
          if (new RegExp(pattern, 'u').test(key)) {
            expand(sub, out);
            matched = true;
          }
        } catch {
          // a pattern ajv accepted but JavaScript does not: no hint from it
        }
      }
    if (!matched && isSchema(s.additionalProperties)) expand(s.additionalProperties, out);
  }
  return out;
}

/** The candidates at a path of keys from the root schema. */
export function schemasAt(root: unknown, keys: readonly ConfigKey[]): Schema[] {
  let candidates = expand(root);
  for (const key of keys) candidates = childSchemas(candidates, key);
  return candidates;
}

/** Any candidate declares the place a secret. */
export function isSensitive(candidates: readonly Schema[]): boolean {
  return candidates.some((s) => s['x-sensitive'] === true);
}

export type ScalarType = 'number' | 'integer' | 'boolean';

/**
 * The type a string reference at this place is converted to: 'integer', 'number' or 'boolean' when the
 * candidates that name a type (by `type`, `enum` or `const`) name only such types; undefined when any of them
 * accepts a string or none names a type (the string stays a string).
 */
export function scalarType(candidates: readonly Schema[]): ScalarType | undefined {
  const types = new Set<string>();
  let typed = false;
  for (const s of candidates) {
    const named = typesOf(s);
    if (named.length === 0) continue;
    typed = true;
    for (const t of named) types.add(t);
  }
  if (!typed || types.has('string')) return undefined;
  if (types.has('number')) return 'number';
  if (types.has('integer')) return 'integer';
  if (types.has('boolean')) return 'boolean';
  return undefined;
}

function typesOf(s: Schema): string[] {
  if (typeof s.type === 'string') return [s.type];
  if (Array.isArray(s.type)) return s.type.filter((t): t is string => typeof t === 'string');
  const values = Array.isArray(s.enum) ? s.enum : 'const' in s ? [s.const] : [];
  return values.map((v) => (typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v));
}

/**
 * Walks `config` beside the schemas that describe each place of it (up to 64 levels): `visit` sees every value
 * that some schema describes, with its keys and those schemas, and returns true to stop there (not descend).
 */
export function walkWithSchema(
  schema: unknown,
  config: unknown,
  visit: (value: unknown, keys: ConfigKey[], candidates: Schema[]) => boolean | undefined,
): void {
  const walk = (value: unknown, keys: ConfigKey[], candidates: Schema[], depth: number) => {
    if (candidates.length === 0 || depth > 64) return;
    if (visit(value, keys, candidates)) return;
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value))
      value.forEach((item, i) => {
        walk(item, [...keys, i], childSchemas(candidates, i), depth + 1);
      });
    else
      for (const [key, item] of Object.entries(value))
        walk(item, [...keys, key], childSchemas(candidates, key), depth + 1);
  };
  walk(config, [], expand(schema), 0);
}
