/**
 * Config formats: what a processor's config schema declares with `"x-format"`, checked and parsed once, here,
 * instead of by hand in each processor.
 *
 * | x-format     | written as                 | the processor receives      |
 * |--------------|----------------------------|-----------------------------|
 * | `duration`   | "30s", "5 min", "1h"       | milliseconds (number)       |
 * | `size`       | "10 MB", "512 KB", "1024"  | bytes (number, 1024-based)  |
 * | `regex`      | a pattern RE2 can run      | the pattern (string)        |
 * | `jsonata`    | a JSONata expression       | the expression (string)     |
 * | `javascript` | a script (UI annotation)   | the script (string)         |
 *
 * Declare a property with the helpers (`timeout: duration('How long…', '30s')`). The registry's `checkConfig`
 * checks and parses the config after schema validation (so after parameter substitution and defaults: "#{t}"
 * → "30s" → 30000): a bad value is an issue at its JSON path saying what to write (the flow schema's duration
 * and size patterns and hints), reported with the processor's own issues, which run on the parsed config (a bad
 * value replaced by its default). The engine hands `validate`, `setup`, `onTrigger`, `onStop` and
 * `dynamicRelationships` the parsed config, and `ConfigOf` types a duration or size property as `number`.
 *
 * Regexes and JSONata stay strings: how they compile depends on sibling properties (regex flags, anchoring,
 * expression limits), so the processor compiles them in `setup`, once per start, with what it already uses
 * (`compileRegex`, `compileExpression`); the format guarantees the compile succeeds.
 */
import { durationPattern } from '../../flows/flow-schema';
import { regexProblem } from '../../processors/bounded/regex';
import { checkExpressions } from '../../processors/expressions';
import type { ConfigIssue } from './contract';
import { parseDuration, parseSize } from './units';

/** A size: a number with a unit ("10 MB", 1024-based as NiFi) or a plain byte count ("1048576"). */
export const configSizePattern = '^(\\d+|\\d+(\\.\\d+)?\\s*([bB]|[kK][bB]|[mM][bB]|[gG][bB]|[tT][bB]))$';

export type ConfigFormat = 'duration' | 'size' | 'regex' | 'jsonata' | 'javascript';

interface FormatSpec {
  /** Why the text cannot be used, or undefined. */
  check?: (text: string) => string | undefined;
  /** The value the processor receives (the text passed `check`). */
  parse?: (text: string) => unknown;
}

const DURATION = new RegExp(durationPattern);
const SIZE = new RegExp(configSizePattern);

const FORMATS: Record<ConfigFormat, FormatSpec> = {
  duration: {
    check: (text) => (DURATION.test(text) ? undefined : 'must be a duration such as "100ms", "30s", "5 min" or "1h"'),
    parse: parseDuration,
  },
  size: {
    check: (text) =>
      SIZE.test(text) ? undefined : 'must be a size such as "512 KB", "10 MB" or "1 GB", or a number of bytes',
    parse: (text) => Math.floor(parseSize(text)),
  },
  regex: { check: (text) => regexProblem(text) },
  jsonata: { check: (text) => checkExpressions([['', text]])[0]?.message },
  javascript: {},
};

/** What `ConfigOf` types a formatted property as (json-schema-to-ts's `deserialize` option). */
export type ConfigFormatTypes = [
  { pattern: { 'x-format': 'duration' }; output: number },
  { pattern: { 'x-format': 'size' }; output: number },
];

/** A duration property: milliseconds in the processor's config. */
export const duration = <D extends string>(description: string, fallback: D) =>
  ({ type: 'string', 'x-format': 'duration', default: fallback, description }) as const;

/** A size property: bytes in the processor's config. */
export const size = <D extends string>(description: string, fallback: D) =>
  ({ type: 'string', 'x-format': 'size', default: fallback, description }) as const;

/** A regular expression property, checked to run on RE2 (processors/bounded/regex.ts); compile it in setup. */
export const regex = <D extends string>(description: string, fallback: D) =>
  ({ type: 'string', 'x-format': 'regex', default: fallback, description }) as const;

/** A JSONata expression property (the form shows an expression field), checked to compile. */
export const jsonataExpression = <D extends string>(description: string, fallback: D) =>
  ({ type: 'string', 'x-format': 'jsonata', minLength: 1, default: fallback, description }) as const;

interface SchemaNode {
  'x-format'?: string;
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
}

const formatted = new WeakMap<object, boolean>();

/** Whether any property of the schema (at any depth) declares a known x-format. */
function hasFormats(schema: SchemaNode | boolean | undefined): boolean {
  if (!schema || typeof schema !== 'object') return false;
  let known = formatted.get(schema);
  if (known === undefined) {
    formatted.set(schema, false); // a cycle cannot recurse for ever
    known =
      (schema['x-format'] !== undefined && schema['x-format'] in FORMATS) ||
      Object.values(schema.properties ?? {}).some(hasFormats) ||
      hasFormats(schema.additionalProperties) ||
      hasFormats(schema.items);
    formatted.set(schema, known);
  }
  return known;
}

const pointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * A config (already checked against its schema, defaults applied) with its formatted properties parsed, and an
 * issue at the JSON path of each value that cannot be used. The input is not changed. A value that cannot be
 * parsed is replaced by its parsed default, or stays as written when there is none (`parsed` false: the config
 * does not have its declared type).
 */
export function parseConfigFormats<T = Record<string, unknown>>(
  schema: object,
  config: unknown,
  options: { check?: boolean } = {},
): { config: T; issues: ConfigIssue[]; parsed: boolean } {
  const check = options.check ?? true;
  const issues: ConfigIssue[] = [];
  let parsed = true;
  const walk = (node: SchemaNode | boolean | undefined, value: unknown, path: string): unknown => {
    if (!hasFormats(node) || typeof node !== 'object') return value;
    const spec = node['x-format'] !== undefined ? FORMATS[node['x-format'] as ConfigFormat] : undefined;
    if (spec && typeof value === 'string') {
      const problem = check ? spec.check?.(value) : undefined;
      if (problem !== undefined) issues.push({ path, message: problem });
      if (!spec.parse) return value;
      try {
        if (problem === undefined) return spec.parse(value);
      } catch (err) {
        issues.push({ path, message: (err as Error).message });
      }
      try {
        if (typeof node.default === 'string') return spec.parse(node.default);
      } catch {}
      parsed = false;
      return value;
    }
    if (Array.isArray(value)) return node.items ? value.map((v, i) => walk(node.items, v, `${path}/${i}`)) : value;
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const child = node.properties?.[key] ?? node.additionalProperties;
      out[key] = walk(child, v, `${path}/${pointer(key)}`);
    }
    return out;
  };
  const result = walk(schema as SchemaNode, config, '') as T;
  return { config: result, issues, parsed };
}

/** The parsed config of a checked config, for the engine (no compile checks again); throws on a bad value. */
export function parsedConfig<T = Record<string, unknown>>(schema: object, config: unknown): T {
  const parsed = parseConfigFormats<T>(schema, config, { check: false });
  if (parsed.issues.length > 0) throw new Error(parsed.issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; '));
  return parsed.config;
}
