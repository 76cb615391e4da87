import { describe, expect, test } from 'vitest';
import { fillLevel } from './fill-level';
import { formatAge, formatBytes, formatCount } from './format';

describe('formatting', () => {
  test('bytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(10 * 1024 * 1024)).toBe('10 MB');
    expect(formatBytes(1024 ** 3)).toBe('1 GB');
  });
  test('counts', () => {
    expect(formatCount(9999)).toBe('9999');
    expect(formatCount(12_345)).toBe('12.3k');
    expect(formatCount(2_500_000)).toBe('2.5M');
  });
  test('ages', () => {
    expect(formatAge(0)).toBe('0s');
    expect(formatAge(250)).toBe('250ms');
    expect(formatAge(1500)).toBe('1.5s');
    expect(formatAge(75_000)).toBe('1m 15s');
    expect(formatAge(7_260_000)).toBe('2h 1m');
  });
});

describe('fill level', () => {
  const q = { objectThreshold: 100, bytesThreshold: 1000 };
  test('green up to 60 %, yellow up to 85 %, red above', () => {
    expect(fillLevel({ ...q, count: 60, bytes: 0 }).tone).toBe('ok');
    expect(fillLevel({ ...q, count: 61, bytes: 0 }).tone).toBe('warn');
    expect(fillLevel({ ...q, count: 85, bytes: 0 }).tone).toBe('warn');
    expect(fillLevel({ ...q, count: 86, bytes: 0 }).tone).toBe('full');
  });
  test('the fuller of count and bytes decides', () => {
    expect(fillLevel({ ...q, count: 1, bytes: 900 })).toMatchObject({ ratio: 0.9, tone: 'full' });
  });
  test('backpressured at the threshold, or when the server says so', () => {
    expect(fillLevel({ ...q, count: 100, bytes: 0 })).toMatchObject({ ratio: 1, backPressured: true });
    expect(fillLevel({ ...q, count: 120, bytes: 0 }).ratio).toBe(1);
    expect(fillLevel({ ...q, count: 99, bytes: 0 }).backPressured).toBe(false);
    expect(fillLevel({ ...q, count: 10, bytes: 0, backPressured: true })).toMatchObject({ tone: 'full' });
  });
});
