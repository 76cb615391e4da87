import { describe, expect, test } from 'vitest';
import { contrastRatio, parseColor } from './contrast';

describe('contrastRatio', () => {
  test('black on white is 21:1 and a colour on itself 1:1', () => {
    expect(contrastRatio('rgb(0, 0, 0)', 'rgb(255, 255, 255)')).toBeCloseTo(21, 5);
    expect(contrastRatio('rgb(255, 255, 255)', 'rgb(0, 0, 0)')).toBeCloseTo(21, 5);
    expect(contrastRatio('rgb(100, 116, 139)', 'rgb(100, 116, 139)')).toBeCloseTo(1, 5);
  });

  test('matches known WCAG figures (slate-500 and slate-600 on white)', () => {
    expect(contrastRatio('rgb(100, 116, 139)', 'rgb(255, 255, 255)')).toBeCloseTo(4.76, 2);
    expect(contrastRatio('rgb(71, 85, 105)', 'rgb(255, 255, 255)')).toBeCloseTo(7.58, 2);
  });

  test('a translucent foreground is blended over the background first', () => {
    const half = contrastRatio('rgba(0, 0, 0, 0.5)', 'rgb(255, 255, 255)');
    expect(half).toBeCloseTo(contrastRatio('rgb(127.5, 127.5, 127.5)', 'rgb(255, 255, 255)'), 5);
    expect(contrastRatio('rgb(0 0 0 / 50%)', 'rgb(255 255 255)')).toBeCloseTo(half, 5);
  });

  test('parses the comma and space syntaxes and refuses other colours', () => {
    expect(parseColor('rgba(1, 2, 3, 0.25)')).toEqual({ r: 1, g: 2, b: 3, a: 0.25 });
    expect(parseColor('rgb(1 2 3)')).toEqual({ r: 1, g: 2, b: 3, a: 1 });
    expect(() => parseColor('#fff')).toThrow(/rgb/);
    expect(() => parseColor('color(srgb 1 1 1)')).toThrow(/rgb/);
  });
});
