import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { createRegistry } from '../processors/registry';
import { createAjv } from '../server/validation/ajv';
import { validateFlow } from '../server/validation/flow-validator';
import { CURRENT_SCHEMA_VERSION, type Flow, flowSchema, toCurrentVersion } from './flow-schema';
import { flowSchemaJson } from './write-schema';

test('flows/flow.schema.json is generated from flow-schema.ts (run `npm run schema`)', () => {
  expect(readFileSync(new URL('./flow.schema.json', import.meta.url), 'utf8')).toBe(flowSchemaJson);
});

test('the flow schema compiles in ajv strict mode', () => {
  expect(() => createAjv().compile(flowSchema)).not.toThrow();
});

describe('nested groups round trip', () => {
  const registry = createRegistry();
  const nested = JSON.parse(readFileSync(new URL('./examples/nested-groups.json', import.meta.url), 'utf8')) as Flow;

  test('the example nests three levels: groups in a group in a group', () => {
    expect(nested.schemaVersion).toBe(2);
    expect(nested.groups?.[0]?.groups?.[0]?.groups?.[0]?.id).toBe('pricing');
  });

  test('import → export: the flow as written comes back equal, key for key, defaults not filled in', () => {
    const text = JSON.stringify(nested, null, 2);
    const check = validateFlow(JSON.parse(text), registry);
    expect(check.ok ? [] : check.issues).toEqual([]);
    if (!check.ok) return;
    expect(check.flow).toEqual(nested);
    expect(JSON.stringify(check.flow, null, 2)).toBe(text);
    // What was exported imports again to the same flow and the same resolved flow.
    const again = validateFlow(JSON.parse(JSON.stringify(check.flow)), registry);
    expect(again).toEqual(check);
  });

  test('every example survives the same round trip', () => {
    for (const file of readdirSync(new URL('./examples', import.meta.url)).filter((f) => f.endsWith('.json'))) {
      const flow = JSON.parse(readFileSync(new URL(`./examples/${file}`, import.meta.url), 'utf8'));
      const check = validateFlow(structuredClone(flow), registry);
      expect(check.ok && check.flow).toEqual(flow);
    }
  });

  test('a version 1 flow is read unchanged and exported as version 2, which resolves to the same flow', () => {
    const v1 = JSON.parse(readFileSync(new URL('./examples/route-orders.json', import.meta.url), 'utf8')) as Flow;
    expect(v1.schemaVersion).toBe(1);
    const read = validateFlow(structuredClone(v1), registry);
    expect(read.ok && read.flow).toEqual(v1);
    const exported = toCurrentVersion(v1);
    expect(exported).toEqual({ ...v1, schemaVersion: CURRENT_SCHEMA_VERSION });
    expect(Object.keys(exported)).toEqual(Object.keys(v1));
    expect(v1.schemaVersion).toBe(1); // the original is not touched
    const reread = validateFlow(exported, registry);
    expect(reread.ok && reread.resolved).toEqual(read.ok && { ...read.resolved, schemaVersion: 2 });
    expect(toCurrentVersion(nested)).toBe(nested);
  });
});
