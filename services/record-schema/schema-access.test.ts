/** The schema access of record readers: config issues at their paths, and resolving inline and registry schemas. */
import { describe, expect, test } from 'vitest';
import { serviceLookupOf } from '../../sdk/testing';
import { enableService } from '../broker-test-kit';
import JsonSchemaRegistry from '../json-schema-registry';
import { resolveSchema, schemaAccessIssues } from './schema-access';

const record = { type: 'object', properties: { id: { type: 'integer' } } };

describe('schemaAccessIssues', () => {
  test('infer needs nothing; inline needs a record schema; registry needs the service and a name', () => {
    expect(schemaAccessIssues({})).toEqual([]);
    expect(schemaAccessIssues({ schemaAccess: 'inline' })).toEqual([
      { path: '/schema', message: 'schemaAccess "inline" needs "schema": the record schema' },
    ]);
    expect(schemaAccessIssues({ schemaAccess: 'inline', schema: { type: 'object' } })[0]!.path).toBe('/schema');
    expect(schemaAccessIssues({ schemaAccess: 'inline', schema: { ...record, minimum: 'x' } })).toEqual([
      { path: '/schema', message: expect.stringMatching(/^invalid JSON Schema/) },
    ]);
    expect(schemaAccessIssues({ schemaAccess: 'inline', schema: record })).toEqual([]);
    expect(schemaAccessIssues({ schemaAccess: 'registry', schemaName: 'x' })).toEqual([
      { path: '/schemaRegistry', message: expect.stringContaining('needs "schemaRegistry"') },
    ]);
  });
});

describe('resolveSchema', () => {
  test('inline, registry by name, a missing name and a non-record schema', async () => {
    const registry = await enableService(JsonSchemaRegistry, { schemas: { order: record, text: { type: 'string' } } });
    const services = serviceLookupOf({ reg: registry.instance });
    expect(resolveSchema({}, services)).toBeUndefined();
    expect(resolveSchema({ schemaAccess: 'inline', schema: record }, services)).toBe(record);
    const ref = { schemaAccess: 'registry' as const, schemaRegistry: { service: 'reg' } };
    expect(resolveSchema({ ...ref, schemaName: 'order' }, services)).toEqual(record);
    expect(() => resolveSchema({ ...ref, schemaName: 'nope' }, services)).toThrow(
      'schema "nope" is not in the registry "reg"; it has: order, text',
    );
    expect(() => resolveSchema({ ...ref, schemaName: 'text' }, services)).toThrow(
      'schema "text" of registry "reg": a record schema needs "type": "object"',
    );
  });
});
