/**
 * ConvertRecord on record readers and writers: the three reported bugs (a row with an extra field cut and kept;
 * one bad row failing the whole file; "0x10", "007", "1e3", " 12" cast to numbers), line numbers with quoted
 * multi-line fields, unicode, schema-invalid rows, a registry schema, Parquet round trip, and the inline settings
 * of older flows going through the same reading code.
 */
import { describe, expect, test } from 'vitest';
import type { RecordReader } from '../../sdk';
import { processorRunner, serviceLookupOf, silentLogger } from '../../sdk/testing';
import { enableService, serviceConfig } from '../../services/broker-test-kit';
import CSVReader from '../../services/csv-reader';
import CSVRecordSetWriter from '../../services/csv-writer';
import JsonRecordReader from '../../services/json-record-reader';
import JsonRecordSetWriter from '../../services/json-record-writer';
import JsonSchemaRegistry from '../../services/json-schema-registry';
import ParquetReader from '../../services/parquet-reader';
import ParquetRecordSetWriter from '../../services/parquet-writer';
import ConvertRecord from '.';

async function services(readerConfig: object = {}) {
  return {
    csv: (await enableService(CSVReader, readerConfig)).instance,
    json: (await enableService(JsonRecordSetWriter, {})).instance,
    jsonIn: (await enableService(JsonRecordReader, {})).instance,
    csvOut: (await enableService(CSVRecordSetWriter, {})).instance,
    parquetIn: (await enableService(ParquetReader, {})).instance,
    parquetOut: (await enableService(ParquetRecordSetWriter, {})).instance,
  };
}

async function convert(config: object, content: string | Buffer, svc?: Record<string, unknown>) {
  const run = processorRunner(ConvertRecord, config, { services: svc ?? (await services()) });
  run.enqueue(content);
  await run.trigger();
  return run;
}

const viaServices = { reader: { service: 'csv' }, writer: { service: 'json' } };
const lines = (content: Buffer) =>
  content
    .toString()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('ConvertRecord', () => {
  test('bug: a row with more fields than the header ("Smith, John" unquoted) is invalid with its line; the others pass', async () => {
    const run = await convert(viaServices, 'id,name,country\n1,Ann,DE\n2,Smith, John,US\n3,Bob,FR\n');
    const [out] = run.transferred('success');
    expect(lines(out!.content)).toEqual([
      { id: 1, name: 'Ann', country: 'DE' },
      { id: 3, name: 'Bob', country: 'FR' },
    ]);
    expect(out!.attributes).toMatchObject({ 'record.count': '2', 'mime.type': 'application/x-ndjson' });
    const [invalid] = run.transferred('invalid');
    expect(lines(invalid!.content)).toEqual([
      { line: 3, reason: '4 fields, the header has 3', raw: '2,Smith, John,US' },
    ]);
    expect(invalid!.attributes).toMatchObject({ 'record.count': '1', 'invalid.first.line': '3' });
    expect(run.transferred('failure')).toEqual([]);
    // The inline relaxColumnCount of older flows kept "2,Smith, John" cut to the header's fields.
    const relaxed = await convert({ relaxColumnCount: true }, 'id,name,country\n1,Ann,DE\n2,Smith, John,US\n');
    expect(lines(relaxed.transferred('success')[0]!.content)).toEqual([{ id: '1', name: 'Ann', country: 'DE' }]);
    expect(lines(relaxed.transferred('invalid')[0]!.content)[0]).toMatchObject({ line: 3 });
  });

  test('bug: one bad row no longer fails the file (inline settings of older flows too)', async () => {
    const run = await convert({ relaxColumnCount: false }, 'a,b\n1,2\n3,4,5\n6,7\n');
    expect(run.transferred('failure')).toEqual([]);
    expect(lines(run.transferred('success')[0]!.content)).toEqual([
      { a: '1', b: '2' },
      { a: '6', b: '7' },
    ]);
    expect(lines(run.transferred('invalid')[0]!.content)[0]).toMatchObject({ line: 3, raw: '3,4,5' });
  });

  test('bug: "0x10", "0b11", "0o17", "007", "1e3", " 12" stay strings (inline inferTypes and CSVReader)', async () => {
    const csv = 'a,b,c,d,e,f,n\n0x10,0b11,0o17,007,1e3, 12,5\n1,1,1,1,1,1,6.5\n';
    const expected = [
      { a: '0x10', b: '0b11', c: '0o17', d: '007', e: '1e3', f: ' 12', n: 5 },
      { a: '1', b: '1', c: '1', d: '1', e: '1', f: '1', n: 6.5 },
    ];
    expect(lines((await convert({ inferTypes: true }, csv)).transferred('success')[0]!.content)).toEqual(expected);
    const run = await convert(viaServices, csv);
    const [out] = run.transferred('success');
    expect(lines(out!.content)).toEqual(expected);
    expect(JSON.parse(out!.attributes['record.schema']!).properties).toMatchObject({
      a: { type: 'string' },
      n: { type: 'number' },
    });
  });

  test('line numbers count quoted multi-line fields; unicode passes through', async () => {
    const csv = 'id,note\n1,"Zoë says\n""hi""\n🚀"\n2,北京,extra\n3,"Ægir, Ødegård"\n';
    const run = await convert(viaServices, csv);
    expect(lines(run.transferred('success')[0]!.content)).toEqual([
      { id: 1, note: 'Zoë says\n"hi"\n🚀' },
      { id: 3, note: 'Ægir, Ødegård' },
    ]);
    expect(lines(run.transferred('invalid')[0]!.content)).toEqual([
      { line: 5, reason: '3 fields, the header has 2', raw: '2,北京,extra' },
    ]);
  });

  test('rows the inline schema refuses go to invalid, naming the field', async () => {
    const svc = await services({
      schemaAccess: 'inline',
      schema: {
        type: 'object',
        properties: { id: { type: 'integer' }, amount: { type: 'number', minimum: 0 } },
      },
    });
    const run = await convert(viaServices, 'id,amount\n1,5\n2,"12,5"\n3,-1\n', svc);
    expect(lines(run.transferred('success')[0]!.content)).toEqual([{ id: 1, amount: 5 }]);
    expect(lines(run.transferred('invalid')[0]!.content).map((r) => [r.line, r.reason])).toEqual([
      [3, 'field "amount": "12,5" is not a number'],
      [4, 'field "amount" (/amount): must be >= 0'],
    ]);
  });

  test('a schema from a JsonSchemaRegistry gives types and field order', async () => {
    const registry = await enableService(JsonSchemaRegistry, {
      schemas: {
        order: { type: 'object', properties: { id: { type: 'string' }, qty: { type: ['integer', 'null'] } } },
      },
    });
    const config = serviceConfig(CSVReader, {
      schemaAccess: 'registry',
      schemaRegistry: { service: 'schemas' },
      schemaName: 'order',
    });
    const reader = (await CSVReader.enable(config, {
      flowId: 'f',
      serviceId: 'csv',
      logger: silentLogger,
      allowedDirs: [],
      services: serviceLookupOf({ schemas: registry.instance }),
    })) as RecordReader;
    const svc = { ...(await services()), csv: reader };
    const run = await convert({ ...viaServices, writer: { service: 'csvOut' } }, 'qty,id\n2,007\n,008\n', svc);
    expect(run.transferred('success')[0]!.content.toString()).toBe('id,qty\n007,2\n008,\n');
    expect(run.transferred('success')[0]!.attributes['mime.type']).toBe('text/csv');
  });

  test('Parquet round trip: CSV → Parquet → JSON lines gives the records back', async () => {
    const svc = await services();
    const toParquet = await convert(
      { reader: { service: 'csv' }, writer: { service: 'parquetOut' } },
      'id,name\n1,Zoë\n2,\n',
      svc,
    );
    const [parquet] = toParquet.transferred('success');
    expect(parquet!.attributes['mime.type']).toBe('application/vnd.apache.parquet');
    const back = await convert(
      { reader: { service: 'parquetIn' }, writer: { service: 'json' } },
      parquet!.content,
      svc,
    );
    expect(lines(back.transferred('success')[0]!.content)).toEqual([
      { id: 1, name: 'Zoë' },
      { id: 2, name: '' },
    ]);
  });

  test('provenance describes the record count; inline JSON to CSV keeps field order of first appearance', async () => {
    const run = await convert(
      { inputFormat: 'json', outputFormat: 'csv' },
      '[{"id":1,"tags":["a"]},{"id":2,"name":"x,y","extra":null}]',
    );
    expect(run.transferred('success')[0]!.content.toString()).toBe('id,tags,name,extra\n1,"[""a""]",,\n2,,"x,y",\n');
    expect(run.provenance().some((e) => JSON.stringify(e).includes('2 records'))).toBe(true);
  });

  test('inline: CSV without header gets column1..N; JSON array output; empty content is zero records', async () => {
    const bare = await convert({ outputFormat: 'json-array', header: false }, 'a,b\nc,d\n');
    expect(JSON.parse(bare.transferred('success')[0]!.content.toString())).toEqual([
      { column1: 'a', column2: 'b' },
      { column1: 'c', column2: 'd' },
    ]);
    const empty = await convert({ outputFormat: 'json-array' }, '');
    expect(empty.transferred('success')[0]!.content.toString()).toBe('[]');
    expect(empty.transferred('success')[0]!.attributes['record.count']).toBe('0');
  });

  test('content unreadable as a whole goes to failure unchanged, the reason in convert.error', async () => {
    const run = processorRunner(ConvertRecord, { inputFormat: 'json' });
    run.enqueue(Buffer.from([0x7b, 0xff, 0x7d]));
    run.enqueue('[{"a":1},');
    await run.trigger();
    const failed = run.transferred('failure');
    expect(failed.map((f) => f.attributes['convert.error'])).toEqual([
      'the content cannot be read: content is not valid UTF-8',
      expect.stringMatching(/^the content cannot be read: the content is not valid JSON/),
    ]);
    expect(failed[1]!.content.toString()).toBe('[{"a":1},');
  });

  test('relaxColumnCount: missing fields are null, extra fields still invalid', async () => {
    const run = await convert({ relaxColumnCount: true, outputFormat: 'json-array' }, 'a,b\n1\n2,3,4\n');
    expect(JSON.parse(run.transferred('success')[0]!.content.toString())).toEqual([{ a: '1', b: null }]);
    expect(run.transferred('invalid')).toHaveLength(1);
  });
});
