import { describe, expect, test } from 'vitest';
import { getField, schemaWithFields, setField } from './record-fields';

describe('record fields', () => {
  test('dotted paths read and create nested objects, replacing a value that is not an object', () => {
    const record: Record<string, unknown> = { a: { b: 1 }, c: 'text' };
    expect(getField(record, ['a', 'b'])).toBe(1);
    expect(getField(record, ['c', 'd'])).toBeUndefined();
    setField(record, ['a', 'x'], 2);
    setField(record, ['c', 'd'], 3);
    expect(record).toEqual({ a: { b: 1, x: 2 }, c: { d: 3 } });
  });

  test('the schema types set fields as the records show, appends new ones and drops them from required', () => {
    const schema = {
      type: 'object' as const,
      properties: { id: { type: 'integer' as const }, price: { type: 'string' as const, pattern: '^\\d+$' } },
      required: ['id', 'price'],
    };
    const records = [
      { id: 1, price: 2.5, total: 5 },
      { id: 2, price: 3, total: null },
    ];
    expect(schemaWithFields(schema, records, ['price', 'total', 'absent'])).toEqual({
      type: 'object',
      properties: {
        id: { type: 'integer' },
        price: { type: 'number' },
        total: { type: ['integer', 'null'] },
        absent: {},
      },
      required: ['id'],
    });
  });
});
