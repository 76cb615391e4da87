import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { defineProcessor } from '../../server/engine/contract';
import { toIssues } from '../../server/validation/ajv';
import { RegexEngine, regexProblem } from '../bounded/regex';
import { pointer } from '../expressions';
import { decodeText, errorText } from '../text';

const MAX_REPORTED_ERRORS = 20;

/**
 * `pattern` and `patternProperties` run on RE2 (linear time, as every regex from a config): a schema cannot
 * make validation backtrack for ever. A pattern RE2 cannot run makes the schema invalid, with RE2's reason.
 */
const re2Engine = Object.assign(
  (pattern: string, flags: string) => {
    const problem = regexProblem(pattern, flags);
    if (problem !== undefined) throw new Error(`pattern ${JSON.stringify(pattern)}: ${problem}`);
    return new RegexEngine(pattern, flags);
  },
  { code: 're2' },
);

/** Compiles a user's schema: draft-07 when its $schema says so, else 2020-12; unknown keywords are allowed. */
function compileSchema(schema: object): ValidateFunction {
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
function patternIssues(schema: unknown, path: string): { path: string; message: string }[] {
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

export default defineProcessor({
  type: 'ValidateJSON',
  category: 'transform',
  description:
    'Validates JSON content against a JSON Schema (draft 2020-12, or draft-07 when its $schema says so): valid or invalid, with the errors in an attribute.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      schema: {
        type: 'object',
        default: {},
        description: 'The JSON Schema the content must satisfy ({} accepts any JSON).',
      },
      errorsAttribute: {
        type: 'string',
        minLength: 1,
        default: 'json.validation.errors',
        description: `Attribute that receives the errors of an invalid FlowFile: a JSON array of {path, message}, at most ${MAX_REPORTED_ERRORS}.`,
      },
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'FlowFiles per session.' },
    },
  },
  relationships: [
    { name: 'valid', description: 'Content is JSON and satisfies the schema.' },
    {
      name: 'invalid',
      description:
        'Content is not JSON (empty, not UTF-8, a syntax error) or breaks the schema; see the errors attribute.',
    },
  ],
  validate(config) {
    const patterns = patternIssues(config.schema, '/schema');
    if (patterns.length > 0) return patterns;
    try {
      compileSchema(config.schema);
      return [];
    } catch (err) {
      return [{ path: '/schema', message: `invalid JSON Schema: ${errorText(err)}` }];
    }
  },
  setup: (config) => ({ check: compileSchema(config.schema) }),
  async onTrigger(session, { config, state }) {
    for (const ff of await session.get(config.batchSize)) {
      let errors: { path: string; message: string }[];
      try {
        const value = JSON.parse(decodeText(ff.content, 'utf8'));
        errors = state.check(value) ? [] : toIssues(state.check.errors);
      } catch (err) {
        errors = [{ path: '', message: `content is not JSON: ${errorText(err)}` }];
      }
      if (errors.length === 0) {
        session.transfer(ff, 'valid');
        continue;
      }
      const reported = JSON.stringify(errors.slice(0, MAX_REPORTED_ERRORS));
      session.transfer(session.putAttributes(ff, { [config.errorsAttribute]: reported }), 'invalid');
    }
  },
});
