/** Reading a JSON Schema to build a form: which widget a property gets, and what a new object starts with. */
import type { JsonSchema } from '../api/types';

export type FieldKind =
  | 'string'
  | 'text'
  | 'expression'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'enum'
  | 'map'
  | 'object'
  | 'list'
  | 'size'
  | 'json';

function typeOf(schema: JsonSchema): string | undefined {
  const t = schema.type;
  return typeof t === 'string' ? t : t?.find((x) => x !== 'null');
}

export function isExpression(schema: JsonSchema | undefined): boolean {
  return schema?.['x-format'] === 'jsonata';
}

export function fieldKind(schema: JsonSchema): FieldKind {
  if (schema.enum) return 'enum';
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const types = new Set(alternatives.map(typeOf));
    if (types.size === 2 && types.has('string') && (types.has('integer') || types.has('number'))) return 'size';
    return 'json';
  }
  switch (typeOf(schema)) {
    case 'string':
      if (isExpression(schema)) return 'expression';
      return schema['x-multiline'] === true ? 'text' : 'string';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const item = schema.items ? typeOf(schema.items) : undefined;
      return item === 'string' || item === 'number' || item === 'integer' ? 'list' : 'json';
    }
    case 'object':
      if (schema.properties) return 'object';
      if (typeof schema.additionalProperties === 'object') {
        const value = typeOf(schema.additionalProperties);
        return value === 'string' || value === 'number' || value === 'integer' || value === 'boolean' ? 'map' : 'json';
      }
      return 'json';
    default:
      return 'json';
  }
}

/** The defaults of an object schema's properties (deep-copied), e.g. a new processor's config. */
export function defaultsOf(schema: JsonSchema | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(schema?.properties ?? {})) {
    if (prop.default !== undefined) out[key] = structuredClone(prop.default);
  }
  return out;
}

/**
 * A typed number from a text box. Something that is not a number is kept as the text, so the server's validator
 * names the problem on the field ("must be integer") instead of the form silently dropping it.
 */
export function parseNumberInput(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : text;
}

/** A "1 GB"-or-byte-count field: digits become a number, anything else stays a string. */
export function parseSizeInput(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** Title-cases a camelCase key for a label: batchSize → "Batch size". */
export function labelOf(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
