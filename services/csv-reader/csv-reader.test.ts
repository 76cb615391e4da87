/**
 * CSVReader: the reported bugs (a row with an extra field kept cut; numbers made of "0x10", "007", "1e3", " 12";
 * one bad row failing the whole content), line numbers with quoted multi-line fields and empty lines, unclosed
 * quotes, BOM and unicode, missing fields, no header, a schema (inline and from a registry) converting and
 * validating, hostile header names; round trip with CSVRecordSetWriter.
 */
import { describe, expect, test } from 'vitest';
import type { RecordReader, RecordWriter } from '../../sdk';
import { serviceLookupOf, silentLogger } from '../../sdk/testing';
import { enableService } from '../broker-test-kit';
import CSVRecordSetWriter from '../csv-writer';
import JsonSchemaRegistry from '../json-schema-registry';
import CSVReader from '.';

async function reader(config: object = {}): Promise<RecordReader> {
  return (await enableService(CSVReader, config)).instance;
}
const read = async (text: string, config: object = {}) => (await reader(config)).read(Buffer.from(text), {});

describe('CSVReader', () => {
  test('a row with more fields than the header is invalid with its line, never cut; the other rows pass', async () => {
    const set = await read('id,last,first\n1,Doe,Jane\n2,Smith, John,x\n3,Roe,Rick\n');
    expect(set.records).toEqual([
      { id: 1, last: 'Doe', first: 'Jane' },
      { id: 3, last: 'Roe', first: 'Rick' },
    ]);
    expect(set.invalid).toEqual([{ line: 3, reason: '4 fields, the header has 3', raw: '2,Smith, John,x' }]);
  });

  test('careful inference: only plain decimal numbers become numbers', async () => {
    const set = await read(
      'hex,bin,oct,zero,exp,space,plus,int,num,flag,big\n0x10,0b11,0o17,007,1e3, 12,+5,-3,1.5,true,9007199254740993\n' +
        '1,1,1,1,1,1,1,,2,false,1\n',
    );
    expect(set.records[0]).toEqual({
      hex: '0x10',
      bin: '0b11',
      oct: '0o17',
      zero: '007',
      exp: '1e3',
      space: ' 12',
      plus: '+5',
      int: -3,
      num: 1.5,
      flag: true,
      big: '9007199254740993',
    });
    expect(set.records[1]).toMatchObject({ hex: '1', int: null, num: 2, flag: false });
    expect(set.schema.properties).toMatchObject({
      hex: { type: 'string' },
      int: { type: ['integer', 'null'] },
      num: { type: 'number' },
      flag: { type: 'boolean' },
      big: { type: 'string' },
    });
  });

  test('line numbers count quoted multi-line fields, CRLF and skipped empty lines', async () => {
    const crlf = await read('id,note\r\n1,"two\r\nlines"\r\n\r\n2,ok,extra\r\n3,x\r\n');
    expect(crlf.records).toEqual([
      { id: 1, note: 'two\r\nlines' },
      { id: 3, note: 'x' },
    ]);
    expect(crlf.invalid.map((r) => [r.line, r.raw])).toEqual([[5, '2,ok,extra']]);
    const lf = await read('id,note\n1,"a\nb\nc"\n\n\n2,"x\n\ny",z\n3,"p\nq"\n4,x,y\n');
    expect(lf.records.map((r) => r.id)).toEqual([1, 3]);
    expect(lf.invalid.map((r) => [r.line, r.raw])).toEqual([
      [7, '2,"x\n\ny",z'],
      [12, '4,x,y'],
    ]);
  });

  test('an unclosed quote is an invalid record at its line; the lines after it are read', async () => {
    const set = await read('id,name\n1,"Ann\n2,Bob\n3,Cy\n');
    expect(set.records).toEqual([
      { id: 2, name: 'Bob' },
      { id: 3, name: 'Cy' },
    ]);
    expect(set.invalid).toEqual([{ line: 2, reason: expect.stringMatching(/never closed/), raw: '1,"Ann' }]);
  });

  test('BOM stripped, unicode kept, other delimiter and quote', async () => {
    const set = await read("\ufeffname;city\n'Zoë; 🚀';北京\n", { delimiter: ';', quote: "'", escape: "'" });
    expect(set.records).toEqual([{ name: 'Zoë; 🚀', city: '北京' }]);
  });

  test('missing fields: invalid by default, null with missingFields "null"; no header: column1..N', async () => {
    expect((await read('a,b,c\n1,2\n')).invalid).toEqual([
      { line: 2, reason: '2 fields, the header has 3', raw: '1,2' },
    ]);
    const relaxed = await read('a,b,c\n1,2\n4,5,6\n', { missingFields: 'null' });
    expect(relaxed.records).toEqual([
      { a: 1, b: 2, c: null },
      { a: 4, b: 5, c: 6 },
    ]);
    expect(relaxed.schema.properties.c).toEqual({ type: ['integer', 'null'] });
    const bare = await read('x,1\ny,2\n', { header: false });
    expect(bare.records).toEqual([
      { column1: 'x', column2: 1 },
      { column1: 'y', column2: 2 },
    ]);
  });

  test('an inline schema: values converted to its types; a refused value or failed keyword is invalid', async () => {
    const schema = {
      type: 'object',
      required: ['id', 'amount'],
      properties: {
        id: { type: 'integer' },
        amount: { type: 'number', minimum: 0 },
        paid: { type: ['boolean', 'null'] },
        note: { type: 'string' },
      },
    };
    const set = await read('id,amount,paid,note\n1,12.5,true,\n2,"12,5",false,x\n3,-1,,y\n4,,,z\n5,1e2,,\n', {
      schemaAccess: 'inline',
      schema,
    });
    expect(set.records).toEqual([
      { id: 1, amount: 12.5, paid: true, note: '' },
      { id: 5, amount: 100, paid: null, note: '' },
    ]);
    expect(set.schema).toEqual(schema);
    expect(set.invalid).toEqual([
      { line: 3, reason: 'field "amount": "12,5" is not a number', raw: '2,"12,5",false,x' },
      { line: 4, reason: 'field "amount" (/amount): must be >= 0', raw: '3,-1,,y' },
      { line: 5, reason: 'field "amount": empty, and the field is not nullable (expected a number)', raw: '4,,,z' },
    ]);
  });

  test('a schema from a JsonSchemaRegistry, by name', async () => {
    const registry = await enableService(JsonSchemaRegistry, {
      schemas: { order: { type: 'object', properties: { id: { type: 'string', pattern: '^o-' } } } },
    });
    const config = { schemaAccess: 'registry', schemaRegistry: { service: 'schemas' }, schemaName: 'order' };
    const ctx = {
      flowId: 'f',
      serviceId: 'csv',
      logger: silentLogger,
      allowedDirs: [],
      services: serviceLookupOf({ schemas: registry.instance }),
    };
    const r = (await CSVReader.enable({ ...(await enabledConfig(config)) }, ctx)) as RecordReader;
    const set = await r.read(Buffer.from('id\no-1\nx-2\n'), {});
    expect(set.records).toEqual([{ id: 'o-1' }]);
    expect(set.invalid).toEqual([{ line: 3, reason: 'field "id" (/id): must match pattern "^o-"', raw: 'x-2' }]);
    const nope = await enabledConfig({ ...config, schemaName: 'nope' });
    expect(() => CSVReader.enable(nope, ctx)).toThrow('schema "nope" is not in the registry "schemas"; it has: order');
  });

  test('header names are data, never code; a repeated name is an error; non-UTF-8 throws', async () => {
    const set = await read('"a""}",__proto__,"x\\"\n1,2,3\n');
    expect(set.records[0]).toEqual({ 'a"}': 1, ['__proto__']: 2, 'x\\': 3 });
    expect(Object.getPrototypeOf(set.records[0])).toBe(Object.prototype);
    await expect(read('a,b,a\n1,2,3\n')).rejects.toThrow('the header names field "a" twice (columns 1 and 3)');
    await expect((await reader()).read(Buffer.from([0x61, 0x0a, 0xff]), {})).rejects.toThrow(/UTF-8/);
  });

  test('round trip: records → CSVRecordSetWriter → CSVReader → the same records', async () => {
    const records = [
      { id: 1, name: 'Smith, John', note: 'says "hi"\nthen leaves', ok: true, amount: 1.25 },
      { id: 2, name: 'Zoë 🚀', note: '', ok: false, amount: -3 },
    ];
    const writer: RecordWriter = (await enableService(CSVRecordSetWriter, {})).instance;
    const r = await reader();
    const first = await r.read(await writer.write(records, { type: 'object', properties: {} }), {});
    expect(first.records).toEqual(records);
    expect(first.invalid).toEqual([]);
  });
});

/** A reader config with defaults applied, as the engine hands it to enable. */
async function enabledConfig(config: object) {
  const { serviceConfig } = await import('../broker-test-kit');
  return serviceConfig(CSVReader, config);
}
