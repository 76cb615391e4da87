/**
 * Converting text fields (CSV) to the types of a configured record schema: integer, number, boolean, object and
 * array (JSON text), string. An empty field is null when the field's type allows null, "" when it allows a string,
 * else refused; a value that fits none of the field's types is refused with a reason naming the field.
 */
import type { FieldType, RecordSchema } from '../../sdk';
import { numberShape } from './infer';

/** A value the schema refuses, with why. */
export class Refusal {
  constructor(readonly reason: string) {}
}

/** Converts one field's text (undefined: the field is missing from the row → null). */
export type Coerce = (text: string | undefined) => unknown;

const JSON_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

const ARTICLE: Record<FieldType, string> = {
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  object: 'a JSON object',
  array: 'a JSON array',
  string: 'a string',
  null: 'null',
};

/** The types a schema property allows; undefined when it does not say. */
export function typesOf(property: RecordSchema['properties'][string] | undefined): FieldType[] | undefined {
  const type = property?.type;
  if (type === undefined) return undefined;
  return Array.isArray(type) ? type : [type];
}

function parseJson(text: string, kind: 'object' | 'array'): unknown {
  try {
    const value = JSON.parse(text) as unknown;
    if (kind === 'array' ? Array.isArray(value) : value !== null && typeof value === 'object' && !Array.isArray(value))
      return value;
  } catch {}
  return undefined;
}

/** The converter of field `name` with schema `property` (built once per column, not per row). */
export function coercerFor(name: string, property: RecordSchema['properties'][string] | undefined): Coerce {
  const types = typesOf(property);
  if (types === undefined) return (text) => (text === undefined ? null : text);
  const allows = new Set(types);
  const field = JSON.stringify(name);
  const expected = types
    .filter((t) => t !== 'null')
    .map((t) => ARTICLE[t])
    .join(' or ');
  return (text) => {
    if (text === undefined) return null;
    if (text === '') {
      if (allows.has('null')) return null;
      if (allows.has('string')) return '';
      return new Refusal(`field ${field}: empty, and the field is not nullable (expected ${expected})`);
    }
    if (allows.has('integer') && numberShape(text) === 1) {
      const n = Number(text);
      if (Number.isSafeInteger(n)) return n;
    }
    if (allows.has('number') && JSON_NUMBER.test(text)) return Number(text);
    if (allows.has('boolean') && (text === 'true' || text === 'false')) return text === 'true';
    if (allows.has('object')) {
      const value = parseJson(text, 'object');
      if (value !== undefined) return value;
    }
    if (allows.has('array')) {
      const value = parseJson(text, 'array');
      if (value !== undefined) return value;
    }
    if (allows.has('string')) return text;
    const shown = text.length > 100 ? `${text.slice(0, 100)}…` : text;
    return new Refusal(`field ${field}: ${JSON.stringify(shown)} is not ${expected}`);
  };
}
