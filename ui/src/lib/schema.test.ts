import { describe, expect, test } from 'vitest';
import { connectionSchema, processorSchema } from '../../../flows/flow-schema';
import type { JsonSchema } from '../api/types';
import { defaultsOf, fieldKind, labelOf, parseNumberInput, parseSizeInput } from './schema';

describe('fieldKind', () => {
  test('picks a widget for every kind of property the processors use', () => {
    expect(fieldKind({ type: 'string' })).toBe('string');
    expect(fieldKind({ type: 'string', 'x-format': 'jsonata' })).toBe('expression');
    expect(fieldKind({ type: 'integer', minimum: 1 })).toBe('integer');
    expect(fieldKind({ type: 'number' })).toBe('number');
    expect(fieldKind({ type: 'boolean' })).toBe('boolean');
    expect(fieldKind({ enum: ['a', 'b'] })).toBe('enum');
    expect(fieldKind({ type: 'object', additionalProperties: { type: 'string' } })).toBe('map');
    expect(fieldKind({ type: 'object', properties: { a: { type: 'string' } } })).toBe('object');
    expect(fieldKind({ type: 'array', items: { type: 'string' } })).toBe('list');
    expect(fieldKind({ type: 'array', items: { type: 'object' } })).toBe('json');
    expect(fieldKind({ type: 'object' })).toBe('json');
  });

  test('the flow schema parts used by the schedule and connection forms', () => {
    const schedule = processorSchema.properties.schedule as unknown as JsonSchema;
    expect(fieldKind(schedule)).toBe('object');
    expect(fieldKind(schedule.properties!.concurrency!)).toBe('integer');
    const bp = connectionSchema.properties.backPressure as unknown as JsonSchema;
    expect(fieldKind(bp.properties!.bytes!)).toBe('size');
    expect(fieldKind(connectionSchema.properties.prioritizer as unknown as JsonSchema)).toBe('enum');
  });
});

describe('values', () => {
  test('defaultsOf copies each property default', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: { a: { type: 'object', default: {} }, b: { type: 'integer', default: 1 }, c: { type: 'string' } },
    };
    const d = defaultsOf(schema);
    expect(d).toEqual({ a: {}, b: 1 });
    expect(d.a).not.toBe(schema.properties!.a!.default);
  });

  test('number inputs keep what is not a number so the validator can name it', () => {
    expect(parseNumberInput('42')).toBe(42);
    expect(parseNumberInput(' 1.5 ')).toBe(1.5);
    expect(parseNumberInput('')).toBeUndefined();
    expect(parseNumberInput('ten')).toBe('ten');
    expect(parseSizeInput('1024')).toBe(1024);
    expect(parseSizeInput('1 GB')).toBe('1 GB');
  });

  test('labels', () => {
    expect(labelOf('batchSize')).toBe('Batch size');
    expect(labelOf('maxPayloadBytes')).toBe('Max payload bytes');
  });
});
