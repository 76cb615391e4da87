/**
 * JsonSchemaRegistry: inline and file schemas compiled once on enable, a schema that does not compile named at
 * its path, the directory confined to the allowed ones; ValidateJSON validating against a registry schema, in
 * a running flow (two ValidateJSON sharing one registry).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import ValidateJSON from '../../processors/validate-json';
import type { ServiceContext } from '../../sdk';
import {
  configIssues,
  FlowEngine,
  processorRunner,
  ServiceRegistry,
  serviceLookupOf,
  silentLogger,
  validateFlow,
} from '../../sdk/testing';
import { waitFor } from '../../test/helpers/wait-for';
import JsonSchemaRegistry, { type JsonSchemaRegistryService } from '.';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-schemas-'));
  await mkdir(path.join(dir, 'schemas'));
  await writeFile(
    path.join(dir, 'schemas', 'customer.json'),
    JSON.stringify({ type: 'object', required: ['name'], properties: { name: { type: 'string' } } }),
  );
  await writeFile(path.join(dir, 'schemas', 'notes.txt'), 'not a schema');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const services = new ServiceRegistry([JsonSchemaRegistry]);
const order = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } };

function context(allowedDirs: string[] = []): ServiceContext {
  return { flowId: 'f', serviceId: 'schemas', logger: silentLogger, allowedDirs, services: serviceLookupOf({}) };
}

async function enable(config: unknown, allowedDirs: string[] = []): Promise<JsonSchemaRegistryService> {
  const checked = services.checkConfig('JsonSchemaRegistry', config, '', allowedDirs);
  if (checked.issues.length > 0) throw new Error(JSON.stringify(checked.issues));
  return (await JsonSchemaRegistry.enable(checked.config as never, context(allowedDirs))) as JsonSchemaRegistryService;
}

describe('JsonSchemaRegistry', () => {
  test('inline schemas and the .json files of a directory, by name', async () => {
    const registry = await enable({ schemas: { order }, directory: path.join(dir, 'schemas') });
    expect(registry.names()).toEqual(['customer', 'order']);
    expect(registry.get('order')!({ id: 'o-1' })).toBe(true);
    expect(registry.get('order')!({ id: '' })).toBe(false);
    expect(registry.get('customer')!({ name: 'Ann' })).toBe(true);
    expect(registry.get('customer')!({})).toBe(false);
    expect(registry.get('notes')).toBeUndefined();
  });

  test('a schema that does not compile is an issue at its path; a directory outside the allowed ones too', () => {
    expect(
      services.checkConfig(
        'JsonSchemaRegistry',
        { schemas: { good: order, bad: { type: 'nope' } }, directory: '/etc' },
        '/services/0/config',
        [dir],
      ).issues,
    ).toEqual([
      {
        path: '/services/0/config/schemas/bad',
        message: expect.stringContaining('invalid JSON Schema'),
      },
      { path: '/services/0/config/directory', message: expect.stringContaining('outside the allowed directories') },
    ]);
  });

  test('a name both inline and as a file fails the enable, naming it', async () => {
    await expect(enable({ schemas: { customer: order }, directory: path.join(dir, 'schemas') })).rejects.toThrow(
      'schema "customer" is defined inline and as customer.json',
    );
  });
});

describe('ValidateJSON with a schema registry', () => {
  test('validates against the named schema of the registry', async () => {
    const registry = await enable({ schemas: { order } });
    const run = processorRunner(
      ValidateJSON,
      { schemaRegistry: { service: 'schemas' }, schemaName: 'order' },
      { services: { schemas: registry } },
    );
    run.enqueue('{"id":"o-1"}');
    run.enqueue('{"id":""}');
    await run.trigger();
    expect(run.transferred('valid')).toHaveLength(1);
    expect(run.transferred('invalid')).toHaveLength(1);
  });

  test('an unknown schema name fails the start, naming the schemas the registry has', async () => {
    const registry = await enable({ schemas: { order } });
    const run = processorRunner(
      ValidateJSON,
      { schemaRegistry: { service: 'schemas' }, schemaName: 'orders' },
      { services: { schemas: registry } },
    );
    await expect(run.start()).rejects.toThrow('schema "orders" is not in the registry "schemas"; it has: order');
  });

  test('exactly one of an inline schema and a registry schema', () => {
    expect(configIssues(ValidateJSON, { schemaRegistry: { service: 's' } })).toEqual([
      { path: '/schemaName', message: 'name the schema of the registry to validate against' },
    ]);
    expect(configIssues(ValidateJSON, { schemaRegistry: { service: 's' }, schemaName: 'x', schema: order })).toEqual([
      { path: '/schema', message: 'use either an inline "schema" or "schemaRegistry" with "schemaName", not both' },
    ]);
    expect(configIssues(ValidateJSON, { schemaName: 'x' })).toEqual([
      { path: '/schemaName', message: 'a schema name needs "schemaRegistry": the service that holds it' },
    ]);
  });

  test('in a flow: two ValidateJSON share one registry, which only a JsonSchemaRegistry may be', async () => {
    const registry = createRegistry();
    const flow = (type: string) => ({
      schemaVersion: 2,
      id: 'schemas',
      name: 'Schemas',
      services: [{ id: 'schemas', type, config: type === 'JsonSchemaRegistry' ? { schemas: { order } } : {} }],
      processors: [
        { id: 'gen', type: 'GenerateFlowFile', config: { content: '{"id":"o-1"}', count: 3 } },
        ...['v1', 'v2'].map((id) => ({
          id,
          type: 'ValidateJSON',
          config: { schemaRegistry: { service: 'schemas' }, schemaName: 'order' },
          autoTerminate: ['valid', 'invalid'],
        })),
      ],
      connections: [
        { id: 'c1', source: 'gen', relationships: ['success'], target: 'v1' },
        { id: 'c2', source: 'gen', relationships: ['success'], target: 'v2' },
      ],
    });
    const wrong = validateFlow(flow('HttpClient'), registry, { registerSecrets: false });
    expect(wrong.ok ? [] : wrong.issues).toEqual([
      {
        path: '/processors/1/config/schemaRegistry',
        message: 'service "schemas" is a HttpClient, not a json-schema-registry',
      },
      {
        path: '/processors/2/config/schemaRegistry',
        message: 'service "schemas" is a HttpClient, not a json-schema-registry',
      },
    ]);
    const check = validateFlow(flow('JsonSchemaRegistry'), registry, { registerSecrets: false });
    if (!check.ok) throw new Error(JSON.stringify(check.issues));
    const engine = new FlowEngine(check.resolved, registry);
    try {
      expect(await engine.start()).toEqual([]);
      await waitFor(
        () => engine.status().processors.v1!.in === 3 && engine.status().processors.v2!.in === 3,
        'both validators took every FlowFile',
      );
      expect(engine.status().services.schemas).toMatchObject({ state: 'enabled', referencedBy: ['v1', 'v2'] });
    } finally {
      await engine.stop();
    }
  });
});
