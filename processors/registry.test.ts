/** The contract every built-in processor keeps, checked by walking the registry. */
import { describe, expect, test } from 'vitest';
import { relationshipsOf } from '../sdk';
import { createAjv, validateFlow } from '../sdk/testing';
import { builtinProcessors, createRegistry } from './registry';

/** Palette order of the core categories; messaging and stream processors may sit anywhere. */
const CATEGORY_ORDER = ['source', 'transform', 'route', 'sink'];
const CATEGORIES = [...CATEGORY_ORDER, 'messaging', 'stream'];

interface PropertySchema {
  description?: string;
  default?: unknown;
  /** A service reference (`serviceReference`): optional, without a default. */
  'x-service'?: string;
}

/** The properties that have a default: all but service references. */
const withDefault = (properties: Record<string, PropertySchema>) =>
  Object.entries(properties).filter(([, p]) => p['x-service'] === undefined);

describe('processor registry', () => {
  test('types are unique PascalCase, with a description, a category, in palette order', () => {
    const types = builtinProcessors.map((d) => d.type);
    expect(new Set(types).size).toBe(types.length);
    for (const d of builtinProcessors) {
      expect(d.type).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(d.description.length).toBeGreaterThan(20);
      expect(CATEGORIES).toContain(d.category);
    }
    const order = builtinProcessors.map((d) => CATEGORY_ORDER.indexOf(d.category)).filter((i) => i >= 0);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(createRegistry().types()).toEqual(types);
  });

  test('sources forbid input, transforms, routes and sinks require it', () => {
    for (const d of builtinProcessors) {
      if (d.category === 'source') expect(d.input).toBe('forbidden');
      else if (CATEGORY_ORDER.includes(d.category)) expect(d.input).toBe('required');
    }
  });

  describe.each(builtinProcessors.map((d) => [d.type, d] as const))('%s', (_type, definition) => {
    test('its config schema compiles under ajv strict mode and is a closed object', () => {
      const ajv = createAjv();
      expect(() => ajv.compile(definition.config)).not.toThrow();
      const schema = definition.config as { type?: string; additionalProperties?: boolean };
      expect(schema.type).toBe('object');
      expect(schema.additionalProperties).toBe(false);
    });

    test('every property has a description and a default, and the defaults validate', () => {
      const properties = (definition.config as { properties: Record<string, PropertySchema> }).properties;
      expect(Object.keys(properties).length).toBeGreaterThan(0);
      for (const [name, property] of Object.entries(properties)) {
        expect(property.description, `${definition.type}.${name} description`).toBeTruthy();
        if (property['x-service'] === undefined)
          expect(property.default, `${definition.type}.${name} default`).not.toBeUndefined();
      }
      const withDefaults = createAjv({ useDefaults: true }).compile(definition.config);
      const config = {};
      expect(withDefaults(config), JSON.stringify(withDefaults.errors)).toBe(true);
      const strict = createAjv().compile(definition.config);
      const explicit = Object.fromEntries(withDefault(properties).map(([k, p]) => [k, p.default]));
      expect(strict(explicit), JSON.stringify(strict.errors)).toBe(true);
    });

    test('relationships are unique, lower-case and described', () => {
      const config = structuredClone(
        Object.fromEntries(
          withDefault((definition.config as { properties: Record<string, PropertySchema> }).properties).map(
            ([k, p]) => [k, p.default],
          ),
        ),
      );
      const relationships = relationshipsOf(definition, config);
      expect(relationships.length).toBeGreaterThan(0);
      const names = relationships.map((r) => r.name);
      expect(new Set(names).size).toBe(names.length);
      for (const r of relationships) {
        expect(r.name).toMatch(/^[a-z][a-z_ -]*$/);
        expect(r.description.length).toBeGreaterThan(5);
      }
    });
  });

  test('routers add one described relationship per configured route', () => {
    const registry = createRegistry();
    const route = registry.checkConfig('RouteOnContent', { rules: { errors: 'ERROR' } });
    expect(route.issues).toEqual([]);
    const names = relationshipsOf(registry.get('RouteOnContent')!, route.config).map((r) => r.name);
    expect(names).toEqual(['errors', 'unmatched']);
  });

  test('validateFlow names broken expressions and regexes by their full JSON path', () => {
    const check = validateFlow(
      {
        schemaVersion: 1,
        id: 'broken',
        name: 'broken',
        processors: [
          { id: 'gen', type: 'GenerateFlowFile' },
          {
            id: 'tag',
            type: 'UpdateAttribute',
            config: { attributes: { 'a/b': 'content.(' } },
            autoTerminate: ['success', 'failure'],
          },
          { id: 'route', type: 'RouteOnContent', config: { rules: { bad: '(' } }, autoTerminate: ['unmatched'] },
          { id: 'split', type: 'SplitJSON', config: { path: '][' }, autoTerminate: ['split', 'original', 'failure'] },
        ],
        connections: [
          { id: 'c1', source: 'gen', relationships: ['success'], target: 'tag' },
          { id: 'c2', source: 'gen', relationships: ['success'], target: 'route' },
          { id: 'c3', source: 'gen', relationships: ['success'], target: 'split' },
        ],
      },
      createRegistry(),
    );
    expect(check.ok).toBe(false);
    if (check.ok) return;
    const paths = check.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/processors/1/config/attributes/a~1b',
        '/processors/2/config/rules/bad',
        '/processors/3/config/path',
      ]),
    );
    expect(check.issues.find((i) => i.path === '/processors/2/config/rules/bad')!.message).toMatch(
      /^invalid regular expression/,
    );
  });
});
