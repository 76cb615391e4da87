import { describe, expect, test } from 'vitest';
import {
  clampHeight,
  DEFAULT_HEIGHT,
  DRAWER_HEIGHT_KEY,
  heightForKey,
  loadHeight,
  MIN_HEIGHT,
  maxHeight,
  saveHeight,
} from './drawer-height';

describe('the drawer height', () => {
  test('is bounded by a minimum and by what the viewport leaves for the canvas', () => {
    expect(clampHeight(10, 900)).toBe(MIN_HEIGHT);
    expect(clampHeight(5000, 900)).toBe(maxHeight(900));
    expect(maxHeight(900)).toBeLessThan(900 - 52);
    expect(clampHeight(400.4, 900)).toBe(400);
    // A tiny window still gets a usable drawer.
    expect(clampHeight(400, 200)).toBe(MIN_HEIGHT);
  });

  test('keys: arrows step (more with Shift), Page keys jump, Home/End go to the bounds, others do nothing', () => {
    expect(heightForKey('ArrowUp', false, 300, 900)).toBe(320);
    expect(heightForKey('ArrowDown', false, 300, 900)).toBe(280);
    expect(heightForKey('ArrowUp', true, 300, 900)).toBe(400);
    expect(heightForKey('PageDown', false, 300, 900)).toBe(200);
    expect(heightForKey('Home', false, 300, 900)).toBe(maxHeight(900));
    expect(heightForKey('End', false, 300, 900)).toBe(MIN_HEIGHT);
    expect(heightForKey('ArrowDown', false, MIN_HEIGHT, 900)).toBe(MIN_HEIGHT);
    expect(heightForKey('a', false, 300, 900)).toBeNull();
  });

  test('is remembered, and a missing, broken or refused value gives the default', () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => store.set(k, v),
    };
    expect(loadHeight(storage)).toBe(DEFAULT_HEIGHT);
    saveHeight(storage, 412.6);
    expect(store.get(DRAWER_HEIGHT_KEY)).toBe('413');
    expect(loadHeight(storage)).toBe(413);
    store.set(DRAWER_HEIGHT_KEY, 'tall');
    expect(loadHeight(storage)).toBe(DEFAULT_HEIGHT);
    const refusing = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    expect(loadHeight(refusing)).toBe(DEFAULT_HEIGHT);
    expect(() => saveHeight(refusing, 300)).not.toThrow();
    expect(loadHeight(undefined)).toBe(DEFAULT_HEIGHT);
  });
});
