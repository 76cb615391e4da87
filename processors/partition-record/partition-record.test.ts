/**
 * PartitionRecord through the processor harness with the real JSON and CSV readers and the JSON writer:
 * partitions by a field, a dotted path and JSONata, in order of first appearance with fragment attributes;
 * null/missing values set no attribute; invalid rows with their lines; expression errors and unreadable content
 * routed to failure; config issues at their paths.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { RecordReader, RecordWriter } from '../../sdk';
import { configIssues, type ProcessorRunner, processorRunner } from '../../sdk/testing';
import { enableService } from '../../services/broker-test-kit';
import CSVReader from '../../services/csv-reader';
import JsonRecordReader from '../../services/json-record-reader';
import JsonRecordSetWriter from '../../services/json-record-writer';
import PartitionRecord from '.';
import { isFieldPath } from './partition-keys';

const ORDERS = [
  { id: 1, region: 'eu', amount: 600, customer: { country: 'FR' } },
  { id: 2, region: 'us', amount: 20, customer: { country: 'US' } },
  { id: 3, region: 'eu', amount: 100, customer: { country: 'DE' } },
  { id: 4, region: null, amount: 900, customer: { country: 'FR' } },
  { id: 5, amount: 1, customer: [{ country: 'JP' }] },
]
  .map((r) => JSON.stringify(r))
  .join('\n');

const runners: ProcessorRunner[] = [];

async function runner(config: object, reader: 'json' | 'csv' = 'json'): Promise<ProcessorRunner> {
  const services: Record<string, RecordReader | RecordWriter> = {
    json: (await enableService(JsonRecordReader, {})).instance,
    csv: (await enableService(CSVReader, {})).instance,
    out: (await enableService(JsonRecordSetWriter, {})).instance,
  };
  const run = processorRunner(
    PartitionRecord,
    { reader: { service: reader }, writer: { service: 'out' }, ...config },
    { services },
  );
  runners.push(run);
  return run;
}

const ids = (ff: { content: Buffer }) =>
  ff.content
    .toString()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { id: number }).id);

afterEach(async () => {
  for (const run of runners.splice(0)) await run.stop();
});

describe('PartitionRecord', () => {
  test('by a field: one FlowFile per value in order of first appearance, fragments, record.count', async () => {
    const run = await runner({ partitionBy: { region: 'region' } });
    const input = run.enqueue(ORDERS);
    await run.trigger();
    const out = run.transferred('success');
    expect(out.map((f) => [f.attributes.region, ids(f)])).toEqual([
      ['eu', [1, 3]],
      ['us', [2]],
      [undefined, [4, 5]],
    ]);
    expect(out.map((f) => f.attributes['fragment.index'])).toEqual(['0', '1', '2']);
    expect(out[0]!.attributes).toMatchObject({
      'fragment.identifier': input.id,
      'fragment.count': '3',
      'record.count': '2',
      'mime.type': 'application/x-ndjson',
    });
    expect(run.transferred('original')[0]!.attributes['record.count']).toBe('5');
    expect(run.provenance().find((e) => e.type === 'FORK')?.childIds).toHaveLength(3);
  });

  test('by a dotted path and a JSONata expression together; arrays on the path go through JSONata', async () => {
    const run = await runner({
      partitionBy: { country: 'customer.country', size: "amount > 500 ? 'large' : 'small'" },
    });
    run.enqueue(ORDERS);
    await run.trigger();
    expect(run.transferred('success').map((f) => [f.attributes.country, f.attributes.size, ids(f)])).toEqual([
      ['FR', 'large', [1, 4]],
      ['US', 'small', [2]],
      ['DE', 'small', [3]],
      ['JP', 'small', [5]],
    ]);
  });

  test('CSV rows the reader refuses go to invalid with their line numbers', async () => {
    const run = await runner({ partitionBy: { region: 'region' } }, 'csv');
    run.enqueue('id,region\n1,eu\n2,us,extra\n3,eu\n');
    await run.trigger();
    expect(run.transferred('success').map((f) => [f.attributes.region, ids(f)])).toEqual([['eu', [1, 3]]]);
    const [invalid] = run.transferred('invalid');
    expect(invalid!.attributes).toMatchObject({ 'record.count': '1', 'invalid.first.line': '3' });
  });

  test('an expression that fails and content that cannot be read go to failure with the reason', async () => {
    const run = await runner({ partitionBy: { bad: '$error("boom")' }, batchSize: 2 });
    run.enqueue(ORDERS);
    run.enqueue('[{"id": 1}');
    await run.trigger();
    expect(run.transferred('failure').map((f) => f.attributes['partition.error'])).toEqual([
      'record 1, partition "bad" ($error("boom")): boom',
      expect.stringMatching(/^the content cannot be read: /),
    ]);
    expect(run.transferred('success')).toHaveLength(0);
  });

  test('config issues: a broken expression at its path, reserved attribute names refused', () => {
    const base = { reader: { service: 'json' }, writer: { service: 'out' } };
    expect(configIssues(PartitionRecord, { ...base, partitionBy: { size: 'amount >' } })).toEqual([
      { path: '/partitionBy/size', message: expect.stringMatching(/^invalid JSONata expression/) },
    ]);
    expect(configIssues(PartitionRecord, { ...base, partitionBy: { 'record.count': 'x' } })[0]!.path).toBe(
      '/partitionBy',
    );
    expect([isFieldPath('customer.country'), isFieldPath('true'), isFieldPath('$x'), isFieldPath('a.b[0]')]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });
});
