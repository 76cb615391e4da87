/**
 * ConvertRecord in a running flow: a CSVReader taking its schema from a JsonSchemaRegistry (a service referencing
 * a service), a JsonRecordSetWriter, the invalid rows on `invalid`; and a reader's missing schema refused by the
 * flow validator at the service's config path.
 */
import { expect, test } from 'vitest';
import { FlowEngine, validateFlow } from '../../sdk/testing';
import { waitFor } from '../../test/helpers/wait-for';
import { createRegistry } from '../registry';

const flow = (reader: object) => ({
  schemaVersion: 2,
  id: 'convert',
  name: 'Convert',
  services: [
    {
      id: 'schemas',
      type: 'JsonSchemaRegistry',
      config: {
        schemas: {
          order: { type: 'object', properties: { id: { type: 'string' }, amount: { type: 'number', minimum: 0 } } },
        },
      },
    },
    { id: 'csv', type: 'CSVReader', config: reader },
    { id: 'json', type: 'JsonRecordSetWriter', config: { format: 'json-array' } },
  ],
  processors: [
    {
      id: 'gen',
      type: 'GenerateFlowFile',
      config: { content: 'id,amount\n007,10.5\n008,-1\n009,x,y\n', count: 1 },
    },
    {
      id: 'convert',
      type: 'ConvertRecord',
      config: { reader: { service: 'csv' }, writer: { service: 'json' } },
      autoTerminate: ['success', 'invalid', 'failure'],
    },
  ],
  connections: [{ id: 'c1', source: 'gen', relationships: ['success'], target: 'convert' }],
});

test('ConvertRecord runs on a CSVReader whose schema is in a JsonSchemaRegistry', async () => {
  const registry = createRegistry();
  const check = validateFlow(
    flow({ schemaAccess: 'registry', schemaRegistry: { service: 'schemas' }, schemaName: 'order' }),
    registry,
    { registerSecrets: false },
  );
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  const engine = new FlowEngine(check.resolved, registry);
  try {
    expect(await engine.start()).toEqual([]);
    const events = (await waitFor(async () => {
      const found = await engine.provenance.query({ componentId: 'convert' });
      return found.filter((e) => e.type === 'DROP').length >= 2 ? found : undefined;
    }, 'the converted and the invalid FlowFile dropped'))!;
    const byRelationship = (rel: string) =>
      events.find((e) => e.type === 'DROP' && e.details === `auto-terminated by ${rel} relationship`);
    expect(byRelationship('success')?.attributes).toMatchObject({
      'record.count': '1',
      'mime.type': 'application/json',
    });
    expect(byRelationship('invalid')?.attributes).toMatchObject({ 'record.count': '2', 'invalid.first.line': '3' });
  } finally {
    await engine.stop();
  }
});

test("a reader's missing schema is an issue at its path in the flow", () => {
  const check = validateFlow(flow({ schemaAccess: 'inline' }), createRegistry(), { registerSecrets: false });
  expect(check.ok ? [] : check.issues).toEqual([
    { path: '/services/1/config/schema', message: 'schemaAccess "inline" needs "schema": the record schema' },
  ]);
});
