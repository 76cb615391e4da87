import { describe, expect, test } from 'vitest';
import type { RecordReader } from '../../sdk';
import { configIssues } from '../../sdk/testing';
import { enableService } from '../../services/broker-test-kit';
import JsonSchemaRegistry from '../../services/json-schema-registry';
import { CSV_IO, jsonLines, recordRunner, toJsonLines } from '../record-processors-test-kit';
import ValidateRecord from '.';

const SCHEMA = {
  type: 'object',
  properties: { id: { type: 'integer' }, amount: { type: 'number', minimum: 0 } },
  required: ['id', 'amount'],
};

describe('ValidateRecord', () => {
  test('splits valid and invalid records; invalid ones are written with the writer and carry their errors', async () => {
    const run = await recordRunner(ValidateRecord, { schema: SCHEMA });
    const input = run.enqueue(
      toJsonLines([
        { id: 1, amount: 5 },
        { id: 2, amount: -1 },
        { id: 3, amount: 7 },
        { id: 'x', amount: 1 },
      ]),
    );
    await run.trigger();
    const [valid] = run.transferred('valid');
    expect(valid!.id).toBe(input.id);
    expect(jsonLines(valid)).toEqual([
      { id: 1, amount: 5 },
      { id: 3, amount: 7 },
    ]);
    expect(valid!.attributes).toMatchObject({ 'record.count': '2', 'mime.type': 'application/x-ndjson' });
    const [invalid] = run.transferred('invalid');
    expect(jsonLines(invalid)).toEqual([
      { id: 2, amount: -1, validation_errors: '/amount: must be >= 0' },
      { id: 'x', amount: 1, validation_errors: '/id: must be integer' },
    ]);
    expect(invalid!.attributes).toMatchObject({
      'record.count': '2',
      'validation.first.error': 'record 2: /amount: must be >= 0',
    });
    expect(run.events.find((e) => e.type === 'CONTENT_MODIFIED')?.details).toBe('2 records');
    expect(run.events.find((e) => e.type === 'FORK')?.childIds).toEqual([invalid!.id]);
  });

  test('allErrors reports every error with its instance path; a FlowFile with only invalid records goes to invalid whole', async () => {
    const registry = await enableService(JsonSchemaRegistry, { schemas: { order: SCHEMA } }, 'schemas');
    const run = await recordRunner(
      ValidateRecord,
      { schemaRegistry: { service: 'schemas' }, schemaName: 'order', allErrors: true, errorsField: 'why' },
      { services: { schemas: registry.instance } },
    );
    const input = run.enqueue(toJsonLines([{ id: 1.5, amount: -2 }]));
    await run.trigger();
    expect(run.transferred('valid')).toHaveLength(0);
    const [invalid] = run.transferred('invalid');
    expect(invalid!.id).toBe(input.id);
    expect(jsonLines(invalid)).toEqual([{ id: 1.5, amount: -2, why: '/id: must be integer; /amount: must be >= 0' }]);
  });

  test('records the reader refused go to invalid as JSON lines with their line numbers', async () => {
    const run = await recordRunner(ValidateRecord, { schema: SCHEMA });
    run.enqueue('{"id":1,"amount":1}\n{oops\n{"id":2,"amount":2}\n');
    await run.trigger();
    expect(jsonLines(run.transferred('valid')[0])).toHaveLength(2);
    const [refused] = run.transferred('invalid');
    expect(refused!.attributes).toMatchObject({ 'record.count': '1', 'invalid.first.line': '2' });
    expect(jsonLines(refused)).toEqual([{ line: 2, reason: expect.stringMatching(/JSON/), raw: '{oops' }]);
  });

  test("without a schema, each FlowFile's records are checked against the schema its reader gives", async () => {
    const reader: RecordReader = {
      read: async () => ({
        schema: { type: 'object', properties: { a: { type: 'integer', maximum: 9 } } },
        records: [{ a: 1 }, { a: 10 }],
        invalid: [],
      }),
    };
    const run = await recordRunner(ValidateRecord, { errorsField: '' }, { services: { reader } });
    run.enqueue('ignored by the reader above');
    await run.trigger();
    expect(jsonLines(run.transferred('valid')[0])).toEqual([{ a: 1 }]);
    expect(jsonLines(run.transferred('invalid')[0])).toEqual([{ a: 10 }]);
  });

  test('config issues: a registry needs a schema name, not also an inline schema', () => {
    const issues = configIssues(ValidateRecord, {
      reader: { service: 'r' },
      writer: { service: 'w' },
      schemaRegistry: { service: 's' },
      schema: SCHEMA,
    });
    expect(issues.map((i) => i.path).sort()).toEqual(['/schema', '/schemaName']);
    expect(configIssues(ValidateRecord, { schema: { type: 'nope' } }).map((i) => i.path)).toEqual([
      '/reader',
      '/writer',
      '/schema',
    ]);
  });

  test('CSV: invalid records are written as CSV with an errors column; ragged rows go to invalid with their line', async () => {
    const run = await recordRunner(
      ValidateRecord,
      { schema: { type: 'object', properties: { price: { type: 'number', maximum: 2 } } } },
      CSV_IO,
    );
    run.enqueue('id,price,quantity,region\n1,2.5,4,eu\n2,10,3,us,extra\n3,1,1,us\n');
    await run.trigger();
    const out = run.transferred('invalid');
    const written = out.find((f) => f.attributes['mime.type'] === 'text/csv');
    const lines = out.find((f) => f.attributes['mime.type'] === 'application/x-ndjson');
    expect(written!.content.toString()).toBe(
      'id,price,quantity,region,validation_errors\n1,2.5,4,eu,/price: must be <= 2\n',
    );
    expect(written!.attributes['validation.first.error']).toBe('record 1: /price: must be <= 2');
    expect(jsonLines(lines)).toEqual([{ line: 3, reason: expect.stringMatching(/5 fields/), raw: '2,10,3,us,extra' }]);
    expect(run.transferred('valid')[0]!.content.toString()).toBe('id,price,quantity,region\n3,1,1,us\n');
  });
});
