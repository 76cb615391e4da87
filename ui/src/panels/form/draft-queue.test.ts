import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { DraftQueue } from './draft-queue';
import { underKey, withKey } from './object-update';

describe('DraftQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  test('commits pending edits in the order of their last change, after the quiet time', () => {
    const q = new DraftQueue(350);
    const done: string[] = [];
    const [a, b] = [{}, {}];
    q.schedule(a, () => done.push('a1'));
    q.schedule(b, () => done.push('b'));
    q.schedule(a, () => done.push('a2'));
    vi.advanceTimersByTime(349);
    expect(done).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(done).toEqual(['b', 'a2']);
  });

  test('flush (a field left) commits every pending edit at once, the other field first', () => {
    const q = new DraftQueue(350);
    const done: string[] = [];
    const [map, batch] = [{}, {}];
    q.schedule(map, () => done.push('attributes'));
    q.schedule(batch, () => done.push('batchSize'));
    q.flush();
    expect(done).toEqual(['attributes', 'batchSize']);
    expect(q.has(map)).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(done).toHaveLength(2);
  });

  test('an edit scheduled by a commit during a flush is committed by the same flush', () => {
    const q = new DraftQueue(350);
    const done: string[] = [];
    q.schedule({}, () => {
      done.push('first');
      q.schedule({}, () => done.push('second'));
    });
    q.flush();
    expect(done).toEqual(['first', 'second']);
  });
});

describe('object updates', () => {
  test('withKey sets or deletes one key of a copy', () => {
    const before = { a: 1, b: 2 };
    expect(withKey(before, 'b', 3)).toEqual({ a: 1, b: 3 });
    expect(withKey(before, 'b', undefined)).toEqual({ a: 1 });
    expect(withKey(undefined, 'a', 1)).toEqual({ a: 1 });
    expect(before).toEqual({ a: 1, b: 2 });
  });

  test('a late update applied to the latest object keeps what changed since', () => {
    const late = (prev: Record<string, unknown>) => withKey(prev, 'attributes', { origin: 'e2e' });
    const latest = { batchSize: 7, attributes: { kind: 'slow' } };
    expect(late(latest)).toEqual({ batchSize: 7, attributes: { origin: 'e2e' } });
  });

  test('underKey applies a nested object update to the latest nested object', () => {
    const update = underKey('backPressure', (prev) => withKey(prev, 'objects', 50));
    expect(update({ backPressure: { bytes: '1 GB' }, expiration: '1m' })).toEqual({
      backPressure: { bytes: '1 GB', objects: 50 },
      expiration: '1m',
    });
    expect(update({})).toEqual({ backPressure: { objects: 50 } });
  });
});
