/** LookupRecord in a running flow: the validator and the engine wire its reader, writer and lookup services. */
import { expect, test } from 'vitest';
import { FlowEngine, validateFlow } from '../../sdk/testing';
import { waitFor } from '../../test/helpers/wait-for';
import { createRegistry } from '../registry';

const flow = (lookupType: string) => ({
  schemaVersion: 2,
  id: 'enrich',
  name: 'Enrich',
  services: [
    { id: 'csv', type: 'CSVReader', config: {} },
    { id: 'out', type: 'CSVRecordSetWriter', config: {} },
    {
      id: 'regions',
      type: lookupType,
      config: lookupType === 'KeyValueLookupService' ? { entries: { eu: 'Europe' } } : {},
    },
  ],
  processors: [
    { id: 'gen', type: 'GenerateFlowFile', config: { content: 'id,region\n1,eu\n2,us\n3,eu,x\n', count: 1 } },
    {
      id: 'lookup',
      type: 'LookupRecord',
      config: {
        reader: { service: 'csv' },
        writer: { service: 'out' },
        lookup: { service: 'regions' },
        keyField: 'region',
      },
      autoTerminate: ['matched', 'unmatched', 'invalid', 'failure'],
    },
  ],
  connections: [{ id: 'c1', source: 'gen', relationships: ['success'], target: 'lookup' }],
});

test('a flow with a CSVReader, a CSVRecordSetWriter and a KeyValueLookupService runs LookupRecord', async () => {
  const registry = createRegistry();
  const wrong = validateFlow(flow('JsonRecordSetWriter'), registry, { registerSecrets: false });
  expect(wrong.ok ? [] : wrong.issues).toEqual([
    {
      path: '/processors/1/config/lookup',
      message: 'service "regions" is a JsonRecordSetWriter, not a lookup-service',
    },
  ]);
  const check = validateFlow(flow('KeyValueLookupService'), registry, { registerSecrets: false });
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  const engine = new FlowEngine(check.resolved, registry);
  try {
    expect(await engine.start()).toEqual([]);
    const events = (await waitFor(async () => {
      const found = await engine.provenance.query({ componentId: 'lookup' });
      return found.filter((e) => e.type === 'DROP').length >= 3 ? found : undefined;
    }, 'matched, unmatched and invalid dropped'))!;
    expect(events.find((e) => e.type === 'CONTENT_MODIFIED')?.details).toBe('1 record');
  } finally {
    await engine.stop();
  }
});
