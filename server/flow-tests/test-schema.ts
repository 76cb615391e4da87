/**
 * The flow test file (`orders.test.json` beside `orders.json`): its JSON Schema, the types it gives and the
 * validator. Issues name the JSON path (`/cases/2/expect/0/count`). See docs/flow-tests.md.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { durationPattern } from '../../flows/flow-schema';
import { createAjv, toIssues, type ValidationIssue } from '../validation/ajv';

const attributeMatch = {
  description: 'An attribute value: the exact string, or {"matches": regex}.',
  anyOf: [
    { type: 'string' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['matches'],
      properties: { matches: { type: 'string', minLength: 1 } },
    },
  ],
} as const;

const contentMatch = {
  description: 'The content: {"equals": text}, {"contains": text} or {"json": value} (a subset of the parsed JSON).',
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: {
    equals: { type: 'string' },
    contains: { type: 'string' },
    json: {},
  },
} as const;

/** What every FlowFile (or the nth) at a place must look like. */
const checks = {
  attributes: { type: 'object', additionalProperties: attributeMatch },
  content: contentMatch,
  where: {
    type: 'string',
    minLength: 1,
    description: 'A JSONata predicate over {content (parsed JSON if JSON, else text), attributes}.',
  },
} as const;

const place = {
  type: 'string',
  minLength: 1,
  description:
    'A processor id (its input), a connection id, or "processor:relationship" (what it sent there); group members as "group/id".',
} as const;

export const flowTestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['cases'],
  properties: {
    $schema: { type: 'string' },
    flow: { type: 'string', minLength: 1, description: 'The flow file, relative to this file.' },
    description: { type: 'string' },
    cases: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'expect'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          inject: {
            type: 'array',
            default: [],
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['at'],
              properties: {
                at: place,
                content: { type: 'string' },
                file: { type: 'string', minLength: 1, description: 'A fixture file, relative to the test file.' },
                attributes: { type: 'object', additionalProperties: { type: 'string' } },
                repeat: { type: 'integer', minimum: 1, maximum: 100000, default: 1 },
              },
            },
          },
          mute: { type: 'array', default: [], uniqueItems: true, items: { type: 'string', minLength: 1 } },
          capture: { type: 'array', default: [], uniqueItems: true, items: { type: 'string', minLength: 1 } },
          expect: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['at'],
              properties: {
                at: place,
                count: { type: 'integer', minimum: 0 },
                nth: {
                  type: 'integer',
                  minimum: 0,
                  description: 'The checks apply to this FlowFile only (0 = first).',
                },
                ...checks,
                each: {
                  type: 'object',
                  additionalProperties: false,
                  minProperties: 1,
                  properties: checks,
                  description: 'Checks every FlowFile must pass.',
                },
              },
            },
          },
          timeout: { type: 'string', pattern: durationPattern, default: '10s' },
        },
      },
    },
  },
} as const;

export type FlowTestFile = FromSchema<typeof flowTestSchema>;
export type FlowTestCase = FlowTestFile['cases'][number];
export type Injection = NonNullable<FlowTestCase['inject']>[number];
export type Expectation = FlowTestCase['expect'][number];
export type Checks = Pick<Expectation, 'attributes' | 'content' | 'where'>;

const validate = createAjv({ useDefaults: true }).compile(flowTestSchema);

/** Validates a parsed test file (a copy gets the defaults); the issues name JSON paths. */
export function checkFlowTestFile(
  json: unknown,
): { ok: true; value: FlowTestFile } | { ok: false; issues: ValidationIssue[] } {
  const copy = structuredClone(json);
  if (validate(copy)) return { ok: true, value: copy as FlowTestFile };
  return { ok: false, issues: toIssues(validate.errors) };
}
