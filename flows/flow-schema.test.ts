import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { createAjv } from '../server/validation/ajv';
import { flowSchema } from './flow-schema';
import { flowSchemaJson } from './write-schema';

test('flows/flow.schema.json is generated from flow-schema.ts (run `npm run schema`)', () => {
  expect(readFileSync(new URL('./flow.schema.json', import.meta.url), 'utf8')).toBe(flowSchemaJson);
});

test('the flow schema compiles in ajv strict mode', () => {
  expect(() => createAjv().compile(flowSchema)).not.toThrow();
});
