/**
 * Time → record keys. Record keys grow with commit order and a record's time is its session's commit time,
 * so a time range maps to a narrow key range. Each second (and each hour, so a long range reads few entries)
 * that has records keeps the lowest and highest record key written in it; a query scans the keys between.
 * Widening only, so a stale or aborted write can only make the range wider, never miss a record.
 */
import type { Database, Key } from 'lmdb';
import type { IndexWrite } from './flowfile-index';

const SECOND = 1000;
const HOUR = 3_600_000;
const CACHE = 4096;

type Bucket = [min: number, max: number];

export class TimeIndex {
  /** Buckets written lately (a write is not readable until committed). */
  private readonly cache = new Map<string, Bucket>();

  constructor(private readonly db: Database<unknown, Key>) {}

  /** Records that keys `minKey`..`maxKey` hold events of `time` (a few bytes per second, not counted against the size). */
  add(time: number, minKey: number, maxKey: number, writes: IndexWrite[]): void {
    this.widen('t', Math.floor(time / SECOND), minKey, maxKey, writes);
    this.widen('h', Math.floor(time / HOUR), minKey, maxKey, writes);
  }

  private widen(level: 't' | 'h', slot: number, minKey: number, maxKey: number, writes: IndexWrite[]): void {
    const id = `${level}${slot}`;
    let bucket = this.cache.get(id) ?? (this.db.get([level, slot]) as Bucket | undefined);
    if (bucket && bucket[0] <= minKey && bucket[1] >= maxKey) {
      this.cache.set(id, bucket);
      return;
    }
    bucket = bucket ? [Math.min(bucket[0], minKey), Math.max(bucket[1], maxKey)] : [minKey, maxKey];
    this.cache.delete(id);
    this.cache.set(id, bucket);
    if (this.cache.size > CACHE) this.cache.delete(this.cache.keys().next().value!);
    writes.push([this.db, [level, slot], bucket]);
  }

  /** The record keys that may hold events of [from, to] (inclusive), or undefined when none can. */
  keyRange(from: number | undefined, to: number | undefined): [number, number] | undefined {
    if (from === undefined && to === undefined) return [0, Number.MAX_SAFE_INTEGER];
    const lo = from ?? Number.NEGATIVE_INFINITY;
    const hi = to ?? Number.POSITIVE_INFINITY;
    if (lo > hi) return undefined;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    const take = (b: Bucket) => {
      if (b[0] < min) min = b[0];
      if (b[1] > max) max = b[1];
    };
    // Whole hours inside the range from the hour level, the partial hours at either end by the second.
    const firstFullHour = Math.ceil(lo / HOUR);
    const endFullHour = Math.floor((hi + 1) / HOUR); // exclusive
    if (firstFullHour < endFullHour) {
      this.scan('h', firstFullHour, endFullHour - 1, take);
      this.scan('t', Math.floor(lo / SECOND), (firstFullHour * HOUR) / SECOND - 1, take);
      this.scan('t', (endFullHour * HOUR) / SECOND, Math.floor(hi / SECOND), take);
    } else this.scan('t', Math.floor(lo / SECOND), Math.floor(hi / SECOND), take);
    return min <= max ? [min, max] : undefined;
  }

  private scan(level: 't' | 'h', first: number, last: number, take: (b: Bucket) => void): void {
    if (first > last) return;
    for (const { value } of this.db.getRange({ start: [level, first], end: [level, last + 0.5] }))
      take(value as Bucket);
    // Writes not yet committed are only in the cache.
    for (const [id, bucket] of this.cache) {
      if (id[0] !== level) continue;
      const slot = Number(id.slice(1));
      if (slot >= first && slot <= last) take(bucket);
    }
  }

  /** Drops buckets whose records are all gone (every key below `oldest`), oldest first; at most `max` of them. */
  dropBelow(oldest: number, max = 10_000): void {
    for (const level of ['t', 'h'] as const) {
      const gone: [string, number][] = [];
      for (const { key, value } of this.db.getRange({
        start: [level, Number.NEGATIVE_INFINITY],
        end: [level, Number.POSITIVE_INFINITY],
      })) {
        if ((value as Bucket)[1] >= oldest || gone.length >= max) break;
        gone.push(key as [string, number]);
      }
      for (const key of gone) {
        this.db.remove(key);
        this.cache.delete(`${level}${key[1]}`);
      }
    }
  }

  clear(): void {
    this.cache.clear();
  }
}
