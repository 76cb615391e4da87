/**
 * Compiling users' JSON Schemas (ValidateJSON's inline schema, the JsonSchemaRegistry service): draft-07 when the
 * schema's $schema says so, else 2020-12; unknown keywords allowed (users' schemas carry their own annotations);
 * formats checked. `pattern` and `patternProperties` run on RE2 (linear time, as every regex from a config): a
 * schema cannot make validation backtrack for ever. A pattern RE2 cannot run makes the schema invalid.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { RegexEngine, regexProblem } from './bounded/regex';
import { pointer } from './expressions';
import { errorText } from './text';

const re2Engine = Object.assign(
  (pattern: string, flags: string) => {
    const problem = regexProblem(pattern, flags);
    if (problem !== undefined) throw new Error(`pattern ${JSON.stringify(pattern)}: ${problem}`);
    return new RegexEngine(pattern, flags);
  },
  { code: 're2' },
);

/** Compiles a user's schema; throws when it is not a valid schema. */
export function compileSchema(schema: object): ValidateFunction {
  const declared = (schema as { $schema?: unknown }).$schema;
  const draft7 = typeof declared === 'string' && /draft-0[467]/.test(declared);
  const options = { allErrors: true, strict: false, validateFormats: true, code: { regExp: re2Engine } };
  const ajv = draft7 ? new Ajv(options) : new Ajv2020(options);
  const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
  addFormats(ajv as unknown as Parameters<typeof addFormatsModule>[0]);
  return ajv.compile(schema);
}

/** Keywords whose values are data, not schemas: a "pattern" inside them is not a regex. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);

/** Patterns RE2 cannot run, at their place in the schema (`pattern` values and `patternProperties` keys). */
export function patternIssues(schema: unknown, path: string): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const stack: [unknown, string][] = [[schema, path]];
  while (stack.length > 0) {
    const [node, at] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    for (const [key, value] of Object.entries(node)) {
      const here = `${at}/${pointer(key)}`;
      if (key === 'pattern' && typeof value === 'string') {
        const problem = regexProblem(value, 'u');
        if (problem) issues.push({ path: here, message: problem });
      }
      if (key === 'patternProperties' && value !== null && typeof value === 'object')
        for (const source of Object.keys(value)) {
          const problem = regexProblem(source, 'u');
          if (problem) issues.push({ path: `${here}/${pointer(source)}`, message: problem });
        }
      if (!DATA_KEYWORDS.has(key)) stack.push([value, here]);
    }
  }
  return issues;
}

/** The issues of a user's schema at `path`: patterns RE2 cannot run, or why it does not compile. */
export function schemaIssues(schema: object, path: string): { path: string; message: string }[] {
  const patterns = patternIssues(schema, path);
  if (patterns.length > 0) return patterns;
  try {
    compileSchema(schema);
    return [];
  } catch (err) {
    return [{ path, message: `invalid JSON Schema: ${errorText(err)}` }];
  }
}
