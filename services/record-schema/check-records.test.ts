/** Validating records with ajv: reasons naming the field and path, invalid records moved out in order. */
import { describe, expect, test } from 'vitest';
import type { InvalidRecord, RecordObject } from '../../sdk';
import { checkRecords, recordChecker } from './check-records';

const check = recordChecker({
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } }, 'a/b': { enum: ['x'] } },
});

describe('recordChecker', () => {
  test('every keyword; reasons name the field and its path', () => {
    expect(check({ id: 1, tags: ['a'] })).toBeUndefined();
    expect(check({ tags: ['a'] })).toBe("record: must have required property 'id'");
    expect(check({ id: 1, tags: ['a', 2] })).toBe('field "tags" (/tags/1): must be string');
    expect(check({ id: 1, 'a/b': 'y' })).toBe('field "a/b" (/a~1b): must be equal to one of the allowed values');
  });
});

describe('checkRecords', () => {
  test('moves the failing records to invalid with their line and raw text, keeping order', () => {
    const records: RecordObject[] = [{ id: 1 }, { id: 'x' }, { id: 3 }, {}];
    const invalid: InvalidRecord[] = [];
    checkRecords(records, check, invalid, (i, record) => ({ line: i * 10, raw: JSON.stringify(record) }));
    expect(records).toEqual([{ id: 1 }, { id: 3 }]);
    expect(invalid).toEqual([
      { line: 10, reason: 'field "id" (/id): must be integer', raw: '{"id":"x"}' },
      { line: 30, reason: "record: must have required property 'id'", raw: '{}' },
    ]);
  });
});
