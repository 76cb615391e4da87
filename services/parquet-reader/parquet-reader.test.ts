/**
 * ParquetReader with ParquetRecordSetWriter: round trip of typed, nullable and nested records; the schema from
 * the file; INT64 beyond 2^53 as text; a configured schema refusing rows by row number; non-Parquet throws.
 */
import { describe, expect, test } from 'vitest';
import type { RecordReader, RecordSchema, RecordWriter } from '../../sdk';
import { enableService } from '../broker-test-kit';
import ParquetRecordSetWriter from '../parquet-writer';
import ParquetReader from '.';

const reader = async (config: object = {}): Promise<RecordReader> =>
  (await enableService(ParquetReader, config)).instance;
const writer = async (): Promise<RecordWriter> => (await enableService(ParquetRecordSetWriter, {})).instance;

const schema: RecordSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    big: { type: ['integer', 'null'] },
    amount: { type: ['number', 'null'] },
    paid: { type: 'boolean' },
    name: { type: ['string', 'null'] },
    tags: { type: 'array' },
  },
};
const records = [
  { id: 1, big: 2 ** 40, amount: 12.5, paid: true, name: 'Zoë 🚀', tags: ['a', 'b'] },
  { id: 2, big: null, amount: null, paid: false, name: null, tags: [] },
  { id: 3, big: -5, amount: 3, paid: true, name: 'Smith, John', tags: [{ x: 1 }] },
];

describe('ParquetReader and ParquetRecordSetWriter', () => {
  test('round trip: records → Parquet → the same records, with the schema from the file', async () => {
    const w = await writer();
    expect(w.mimeType).toBe('application/vnd.apache.parquet');
    const content = await w.write(records, schema);
    expect(content.subarray(0, 4).toString()).toBe('PAR1');
    const set = await (await reader()).read(content, {});
    expect(set.records).toEqual(records);
    expect(set.invalid).toEqual([]);
    expect(set.schema.properties).toEqual({
      id: { type: ['integer', 'null'] },
      big: { type: ['integer', 'null'] },
      amount: { type: ['number', 'null'] },
      paid: { type: ['boolean', 'null'] },
      name: { type: ['string', 'null'] },
      tags: {},
    });
  });

  test('an INT64 beyond 2^53 reads as its decimal text; zero records write and read', async () => {
    const w = await writer();
    const content = await w.write([{ id: '1234567890123456789' }, { id: 7 }], {
      type: 'object',
      properties: { id: { type: ['integer', 'string'] } },
    });
    const set = await (await reader()).read(content, {});
    expect(set.records).toEqual([{ id: '1234567890123456789' }, { id: 7 }]);
    expect(set.schema.properties.id).toEqual({ type: ['integer', 'null', 'string'] });
    const again = await (await reader()).read(await w.write(set.records, set.schema), {});
    expect(again.records).toEqual(set.records);
    const empty = await (await reader()).read(await w.write([], schema), {});
    expect(empty.records).toEqual([]);
  });

  test('a value that does not fit its column throws, naming record and field', async () => {
    await expect(
      (await writer()).write([{ id: '12345678901234567890' }], {
        type: 'object',
        properties: { id: { type: 'integer' } },
      }),
    ).rejects.toThrow('record 1, field "id": "12345678901234567890" does not fit a INT64 column');
    await expect((await writer()).write([{ id: 1 }, { id: 'x' }], schema)).rejects.toThrow(
      /^record 2, field "id": "x" does not fit a INT(32|64) column$/,
    );
  });

  test('a configured schema refuses rows by row number; content that is not Parquet throws', async () => {
    const content = await (await writer()).write(records, schema);
    const strict = await reader({
      schemaAccess: 'inline',
      schema: { type: 'object', properties: { name: { type: 'string' } } },
    });
    const set = await strict.read(content, {});
    expect(set.records.map((r) => r.id)).toEqual([1, 3]);
    expect(set.invalid).toEqual([
      { line: 2, reason: 'field "name" (/name): must be string', raw: expect.stringContaining('"id":2') },
    ]);
    await expect((await reader()).read(Buffer.from('id,name\n1,x\n'), {})).rejects.toThrow(/not Parquet/);
  });
});
