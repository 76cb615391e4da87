/**
 * QueryRecord and PartitionRecord in a running flow: the validator accepts connections from the query-named
 * relationships, the engine wires the reader and writer services, and a query DuckDB cannot parse stops the
 * processor's start with the query's JSON path in the error.
 */
import { expect, test } from 'vitest';
import { FlowEngine, validateFlow } from '../../sdk/testing';
import { waitFor } from '../../test/helpers/wait-for';
import { createRegistry } from '../registry';

const flow = (query: string) => ({
  schemaVersion: 2,
  id: 'orders',
  name: 'Orders',
  services: [
    { id: 'csv', type: 'CSVReader', config: {} },
    { id: 'json', type: 'JsonRecordSetWriter', config: {} },
    { id: 'jsonIn', type: 'JsonRecordReader', config: {} },
  ],
  processors: [
    {
      id: 'gen',
      type: 'GenerateFlowFile',
      config: { content: 'id,region,amount\n001,eu,10.50\n002,us,1.25\n003,eu,0.75\n', count: 1 },
    },
    {
      id: 'query',
      type: 'QueryRecord',
      config: { reader: { service: 'csv' }, writer: { service: 'json' }, queries: { by_region: query } },
      autoTerminate: ['original', 'failure', 'invalid'],
    },
    {
      id: 'partition',
      type: 'PartitionRecord',
      config: { reader: { service: 'jsonIn' }, writer: { service: 'json' }, partitionBy: { region: 'region' } },
      autoTerminate: ['success', 'original', 'failure', 'invalid'],
    },
  ],
  connections: [
    { id: 'c1', source: 'gen', relationships: ['success'], target: 'query' },
    { id: 'c2', source: 'query', relationships: ['by_region'], target: 'partition' },
  ],
});

const GROUP_BY =
  'SELECT region, SUM(CAST(amount AS DECIMAL(18,2))) AS total FROM FLOWFILE GROUP BY region ORDER BY region';

test('a flow runs QueryRecord into PartitionRecord through the CSVReader and JsonRecordSetWriter services', async () => {
  const registry = createRegistry();
  const check = validateFlow(flow(GROUP_BY), registry, { registerSecrets: false });
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  const engine = new FlowEngine(check.resolved, registry);
  try {
    expect(await engine.start()).toEqual([]);
    const events = (await waitFor(async () => {
      const found = await engine.provenance.query({ componentId: 'partition' });
      return found.filter((e) => e.type === 'DROP').length >= 3 ? found : undefined;
    }, 'two partitions and the original dropped'))!;
    const partitions = events.filter((e) => e.details === 'auto-terminated by success relationship');
    expect(partitions.map((e) => [e.attributes?.region, e.attributes?.['record.count']]).sort()).toEqual([
      ['eu', '1'],
      ['us', '1'],
    ]);
    expect(events.find((e) => e.type === 'FORK')?.details).toBe('2 records in 2 partitions');
    const query = await engine.provenance.query({ componentId: 'query' });
    expect(query.find((e) => e.type === 'FORK')?.details).toMatch(
      /^3 records queried \(read [0-9.]+ s, load [0-9.]+ s, query [0-9.]+ s, write [0-9.]+ s\)$/,
    );
  } finally {
    await engine.stop();
  }
});

test('a query DuckDB cannot parse stops the start with its JSON path; the config check refuses non-SELECTs', async () => {
  const registry = createRegistry();
  const refused = validateFlow(flow('DELETE FROM FLOWFILE'), registry, { registerSecrets: false });
  expect(refused.ok ? [] : refused.issues).toEqual([
    {
      path: '/processors/1/config/queries/by_region',
      message: 'only SELECT queries are allowed, this one starts with DELETE',
    },
  ]);
  const check = validateFlow(flow('SELECT region FROM FLOWFILE GROUP'), registry, { registerSecrets: false });
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  const engine = new FlowEngine(check.resolved, registry);
  try {
    const failures = await engine.start();
    expect(failures).toEqual([
      {
        processorId: 'query',
        error: expect.stringMatching(/^query "by_region" \(\/queries\/by_region\): parser error: syntax error/),
      },
    ]);
  } finally {
    await engine.stop();
  }
});
