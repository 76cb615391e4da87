/** Converting CSV text to a schema's field types, and the reasons for what does not convert. */
import { describe, expect, test } from 'vitest';
import { coercerFor, Refusal } from './coerce';

const reason = (v: unknown) => (v instanceof Refusal ? v.reason : v);

describe('coercerFor', () => {
  test('integer, number, boolean, object and array from text', () => {
    expect(coercerFor('n', { type: 'integer' })('-12')).toBe(-12);
    expect(coercerFor('n', { type: 'number' })('1e3')).toBe(1000);
    expect(coercerFor('n', { type: 'number' })('12.5')).toBe(12.5);
    expect(coercerFor('b', { type: 'boolean' })('false')).toBe(false);
    expect(coercerFor('o', { type: 'object' })('{"a":1}')).toEqual({ a: 1 });
    expect(coercerFor('a', { type: 'array' })('[1]')).toEqual([1]);
    expect(coercerFor('s', { type: 'string' })('007')).toBe('007');
    expect(coercerFor('x', undefined)('007')).toBe('007');
  });

  test('a value that fits no type is refused, naming the field', () => {
    expect(reason(coercerFor('amount', { type: 'number' })('12,5'))).toBe('field "amount": "12,5" is not a number');
    expect(reason(coercerFor('n', { type: 'integer' })('1.5'))).toBe('field "n": "1.5" is not an integer');
    expect(reason(coercerFor('n', { type: 'integer' })('007'))).toBe('field "n": "007" is not an integer');
    expect(reason(coercerFor('o', { type: 'object' })('[1]'))).toBe('field "o": "[1]" is not a JSON object');
    expect(reason(coercerFor('v', { type: ['integer', 'boolean'] })('x'))).toBe(
      'field "v": "x" is not an integer or a boolean (true or false)',
    );
  });

  test('empty: null when nullable, "" for a string, else refused; a missing field is null', () => {
    expect(coercerFor('n', { type: ['integer', 'null'] })('')).toBeNull();
    expect(coercerFor('s', { type: 'string' })('')).toBe('');
    expect(reason(coercerFor('n', { type: 'integer' })(''))).toBe(
      'field "n": empty, and the field is not nullable (expected an integer)',
    );
    expect(coercerFor('n', { type: 'integer' })(undefined)).toBeNull();
    expect(coercerFor('n', { type: ['integer', 'string'] })('9007199254740993')).toBe('9007199254740993');
  });
});
