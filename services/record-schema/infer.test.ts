/** Careful CSV column inference and JSON record schema inference. */
import { describe, expect, test } from 'vitest';
import { inferColumn, inferRecordSchema, numberShape } from './infer';

describe('numberShape', () => {
  test('only plain decimal integers and fractions', () => {
    for (const s of ['0', '-0', '7', '-12', '9007199254740993']) expect(numberShape(s)).toBe(1);
    for (const s of ['0.5', '-3.25', '10.0']) expect(numberShape(s)).toBe(2);
    for (const s of [
      '',
      '-',
      '007',
      '0x10',
      '0b11',
      '0o17',
      '1e3',
      ' 12',
      '12 ',
      '+5',
      '1.',
      '.5',
      '1.2.3',
      'NaN',
      '1_000',
    ])
      expect(numberShape(s)).toBe(0);
  });
});

describe('inferColumn', () => {
  const col = (...values: (string | undefined)[]) =>
    inferColumn(
      values.map((v) => (v === undefined ? [] : [v])),
      0,
    );
  test('integer, number, boolean, string over all rows; empty makes typed columns nullable', () => {
    expect(col('1', '2')).toEqual({ type: 'integer', nullable: false });
    expect(col('1', '', '2.5')).toEqual({ type: 'number', nullable: true });
    expect(col('true', 'false', '')).toEqual({ type: 'boolean', nullable: true });
    expect(col('1', 'x')).toEqual({ type: 'string', nullable: false });
    expect(col('a', '')).toEqual({ type: 'string', nullable: false });
    expect(col('', '')).toEqual({ type: 'string', nullable: false });
  });
  test('an integer beyond 2^53 keeps the column text; a missing field makes it nullable', () => {
    expect(col('1', '9007199254740993')).toEqual({ type: 'string', nullable: false });
    expect(col('1', undefined)).toEqual({ type: 'integer', nullable: true });
  });
});

describe('inferRecordSchema', () => {
  test('fields in order of first appearance; null added; integer+number is number; mixed is open', () => {
    expect(
      inferRecordSchema([
        { b: 1, a: 'x', m: 1 },
        { a: null, b: 2.5, c: [1], m: 'y' },
        { c: null, d: { e: 1 }, n: null },
      ]),
    ).toEqual({
      type: 'object',
      properties: {
        b: { type: 'number' },
        a: { type: ['string', 'null'] },
        m: {},
        c: { type: ['array', 'null'] },
        d: { type: 'object' },
        n: {},
      },
    });
  });
});
