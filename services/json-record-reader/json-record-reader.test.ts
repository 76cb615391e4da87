/**
 * JsonRecordReader: JSON lines and arrays, invalid lines and elements with their line numbers, the inferred
 * schema, an inline schema refusing records, config issues at their paths; round trip with JsonRecordSetWriter.
 */
import { describe, expect, test } from 'vitest';
import type { RecordReader, RecordWriter } from '../../sdk';
import { configIssues } from '../../sdk/testing';
import { enableService } from '../broker-test-kit';
import JsonRecordSetWriter from '../json-record-writer';
import JsonRecordReader from '.';
import { elementStarts } from './read-json';

async function reader(config: object = {}): Promise<RecordReader> {
  return (await enableService(JsonRecordReader, config)).instance;
}
const read = async (text: string, config: object = {}) => (await reader(config)).read(Buffer.from(text), {});

describe('JsonRecordReader', () => {
  test('JSON lines: a bad line and a non-object line are invalid with their line numbers, the rest read', async () => {
    const set = await read('{"id":1,"name":"Ann"}\n\n{broken\n[1,2]\n{"id":2,"name":null}\r\n');
    expect(set.records).toEqual([
      { id: 1, name: 'Ann' },
      { id: 2, name: null },
    ]);
    expect(set.invalid).toEqual([
      { line: 3, reason: expect.stringMatching(/^not JSON: /), raw: '{broken' },
      { line: 4, reason: 'an array, not a record (a JSON object)', raw: '[1,2]' },
    ]);
    expect(set.schema).toEqual({
      type: 'object',
      properties: { id: { type: 'integer' }, name: { type: ['string', 'null'] } },
    });
  });

  test('a JSON array: a non-object element is invalid at the line where it starts; a syntax error throws', async () => {
    const set = await read('[\n  {"a": "x,]\\"{"},\n  42,\n  {"a": "y"\n  },\n  "s"\n]');
    expect(set.records).toEqual([{ a: 'x,]"{' }, { a: 'y' }]);
    expect(set.invalid.map((r) => [r.line, r.raw])).toEqual([
      [3, '42'],
      [6, '"s"'],
    ]);
    await expect(read('[{"a":1},')).rejects.toThrow(/not valid JSON/);
    expect(elementStarts('[ 1, "a,b", [2,3], {"x":[4]} ]')).toEqual([2, 5, 12, 19]);
  });

  test('one pretty-printed object is one record; empty content is no records; mixed types leave the type open', async () => {
    expect((await read('{\n "a": 1\n}\n')).records).toEqual([{ a: 1 }]);
    expect((await read('  \n')).records).toEqual([]);
    const mixed = await read('{"a":1,"b":1}\n{"a":"x","b":2.5}\n');
    expect(mixed.schema.properties).toEqual({ a: {}, b: { type: 'number' } });
  });

  test('an inline schema: a record it refuses is invalid, naming the field', async () => {
    const schema = {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'integer' }, amount: { type: 'number', minimum: 0 } },
    };
    const set = await read('{"id":1,"amount":5}\n{"id":2,"amount":-1}\n{"amount":1}\n', {
      schemaAccess: 'inline',
      schema,
    });
    expect(set.records).toEqual([{ id: 1, amount: 5 }]);
    expect(set.schema).toEqual(schema);
    expect(set.invalid).toEqual([
      { line: 2, reason: 'field "amount" (/amount): must be >= 0', raw: '{"id":2,"amount":-1}' },
      { line: 3, reason: "record: must have required property 'id'", raw: '{"amount":1}' },
    ]);
  });

  test('non-UTF-8 content throws', async () => {
    await expect((await reader()).read(Buffer.from([0x7b, 0xff, 0x7d]), {})).rejects.toThrow(/UTF-8/);
  });

  test('config issues name the missing piece at its path', () => {
    expect(configIssues(JsonRecordReader as never, { schemaAccess: 'inline' })).toEqual([
      { path: '/schema', message: 'schemaAccess "inline" needs "schema": the record schema' },
    ]);
    expect(configIssues(JsonRecordReader as never, { schemaAccess: 'registry' }).map((i) => i.path)).toEqual([
      '/schemaRegistry',
      '/schemaName',
    ]);
    expect(configIssues(JsonRecordReader as never, { schemaAccess: 'inline', schema: { type: 'string' } })).toEqual([
      { path: '/schema', message: 'a record schema needs "type": "object"' },
    ]);
  });

  test('round trip: records → JsonRecordSetWriter (lines and array) → JsonRecordReader → the same records', async () => {
    const records = [
      { id: 1, name: 'Ann "A"', tags: ['x'], nested: { a: null } },
      { id: 2, name: 'Bjørn, 北京 🚀', tags: [], nested: { a: 1 } },
    ];
    const r = await reader();
    for (const format of ['json-lines', 'json-array']) {
      const writer: RecordWriter = (await enableService(JsonRecordSetWriter, { format })).instance;
      const schema = (await r.read(Buffer.from(JSON.stringify(records)), {})).schema;
      const back = await r.read(await writer.write(records, schema), {});
      expect(back.records).toEqual(records);
      expect(back.invalid).toEqual([]);
    }
  });
});
