/** JsonRecordSetWriter: JSON lines and arrays, mime types, field order from the schema then first appearance. */
import { describe, expect, test } from 'vitest';
import type { RecordSchema, RecordWriter } from '../../sdk';
import { enableService } from '../broker-test-kit';
import JsonRecordSetWriter from '.';

const writer = async (config: object = {}): Promise<RecordWriter> =>
  (await enableService(JsonRecordSetWriter, config)).instance;

describe('JsonRecordSetWriter', () => {
  test('JSON lines by default, fields in schema order and then in order of first appearance', async () => {
    const schema: RecordSchema = { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } };
    const w = await writer();
    expect(w.mimeType).toBe('application/x-ndjson');
    const out = await w.write(
      [
        { name: 'a', extra: true, id: 1 },
        { id: 2, more: null },
      ],
      schema,
    );
    expect(out.toString()).toBe('{"id":1,"name":"a","extra":true}\n{"id":2,"more":null}\n');
    expect((await w.write([], schema)).toString()).toBe('');
  });

  test('a JSON array', async () => {
    const w = await writer({ format: 'json-array' });
    expect(w.mimeType).toBe('application/json');
    const out = await w.write([{ a: 1 }, { a: 2 }], { type: 'object', properties: {} });
    expect(out.toString()).toBe('[{"a":1},{"a":2}]');
    expect((await w.write([], { type: 'object', properties: {} })).toString()).toBe('[]');
  });
});
