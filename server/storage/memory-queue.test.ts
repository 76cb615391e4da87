import { describe, expect, test } from 'vitest';
import { type FlowFile, newFlowFile } from '../engine/flowfile';
import { MemoryQueue } from './memory-queue';

const ff = (priority?: string, entryDate?: number): FlowFile => {
  const f = newFlowFile('x', priority === undefined ? {} : { priority });
  return entryDate === undefined ? f : { ...f, entryDate };
};

describe('MemoryQueue', () => {
  test('fifo takes in arrival order and counts in-flight FlowFiles until acknowledged', () => {
    const q = new MemoryQueue('c');
    const items = [ff(), ff(), ff()];
    q.offer(items);
    const taken = q.take(2, Date.now());
    expect(taken.map((f) => f.id)).toEqual(items.slice(0, 2).map((f) => f.id));
    expect(q.depth()).toEqual({ count: 3, bytes: 3, inFlight: 2, penalized: 0 });
    q.acknowledge(taken);
    expect(q.depth()).toEqual({ count: 1, bytes: 1, inFlight: 0, penalized: 0 });
  });

  test('oldest-first and newest-first order by entry date', () => {
    const items = [ff(undefined, 30), ff(undefined, 10), ff(undefined, 20)];
    const oldest = new MemoryQueue('o', 'oldest-first');
    oldest.offer(items);
    expect(oldest.take(3, 0).map((f) => f.entryDate)).toEqual([10, 20, 30]);
    const newest = new MemoryQueue('n', 'newest-first');
    newest.offer(items);
    expect(newest.take(3, 0).map((f) => f.entryDate)).toEqual([30, 20, 10]);
  });

  test('priority-attribute takes the lowest priority first, numerically, missing last, ties in order', () => {
    const q = new MemoryQueue('p', 'priority-attribute');
    const items = [ff('10'), ff(), ff('2'), ff('2'), ff('1')];
    q.offer(items);
    const taken = q.take(5, 0);
    expect(taken.map((f) => f.attributes.priority)).toEqual(['1', '2', '2', '10', undefined]);
    expect(taken[1]!.id).toBe(items[2]!.id);
  });

  test('a requeued FlowFile is penalized, then comes back first', () => {
    const q = new MemoryQueue('c');
    const [a, b] = [ff(), ff()];
    q.offer([a!, b!]);
    const [taken] = q.take(1, 1000);
    q.requeue([taken!], 500, 1000);
    expect(q.depth()).toMatchObject({ count: 2, penalized: 1, inFlight: 0 });
    expect(q.take(5, 1200).map((f) => f.id)).toEqual([b!.id]);
    expect(q.hasAvailable(1400)).toBe(false);
    expect(q.nextRelease()).toBe(1500);
    expect(q.take(5, 1500).map((f) => f.id)).toEqual([a!.id]);
  });

  test('expire removes FlowFiles older than the age, queued or penalized, not in flight', () => {
    const q = new MemoryQueue('c');
    const old = [ff(undefined, 0), ff(undefined, 0), ff(undefined, 0)];
    const young = ff(undefined, 900);
    q.offer([...old, young]);
    const [inFlight, penalized] = q.take(2, 1000);
    q.requeue([penalized!], 10_000, 1000);
    const expired = q.expire(100, 1000);
    expect(expired.map((f) => f.id).sort()).toEqual([old[1]!.id, old[2]!.id].sort());
    expect(q.depth()).toMatchObject({ count: 2, inFlight: 1 });
    expect(q.list(10, 1000).map((i) => i.id)).toEqual([young.id]);
    q.acknowledge([inFlight!]);
    expect(q.depth().count).toBe(1);
  });

  test('clear empties queued and penalized FlowFiles and keeps byte counts right', () => {
    const q = new MemoryQueue('c');
    q.offer([ff(), ff(), ff()]);
    const [p] = q.take(1, 0);
    q.requeue([p!], 1000, 0);
    expect(q.clear()).toHaveLength(3);
    expect(q.depth()).toEqual({ count: 0, bytes: 0, inFlight: 0, penalized: 0 });
  });
});
