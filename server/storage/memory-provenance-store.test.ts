import { describe, expect, test } from 'vitest';
import { type NewProvenanceEvent, NO_IDS } from '../engine/provenance';
import { MemoryProvenanceStore } from './memory-provenance-store';

const event = (i: number, time = Date.now()): NewProvenanceEvent => ({
  type: i % 2 === 0 ? 'CREATE' : 'DROP',
  time,
  flowId: 'f',
  flowFileId: `ff-${i}`,
  componentId: i % 3 === 0 ? 'a' : 'b',
  componentType: 'Test',
  parentIds: NO_IDS,
  childIds: NO_IDS,
  attributes: {},
  contentSize: 0,
  lineageStartDate: time,
});

describe('MemoryProvenanceStore', () => {
  test('keeps at most maxEvents, evicting the oldest', () => {
    const store = new MemoryProvenanceStore({ maxEvents: 100 });
    store.append(Array.from({ length: 250 }, (_, i) => event(i)));
    expect(store.size).toBe(100);
    const all = store.query({ limit: 1000 });
    expect(all).toHaveLength(100);
    expect(all[0]!.flowFileId).toBe('ff-249');
    expect(all.at(-1)!.flowFileId).toBe('ff-150');
    expect(store.get(all[0]!.eventId)?.flowFileId).toBe('ff-249');
    expect(store.get(1)).toBeUndefined();
  });

  test('evicts events older than maxAge', () => {
    const store = new MemoryProvenanceStore({ maxAgeMs: 60_000 });
    store.append([event(1, Date.now() - 120_000), event(2)]);
    expect(store.query({}).map((e) => e.flowFileId)).toEqual(['ff-2']);
  });

  test('queries by component, type, FlowFile and time range, newest first, limited', () => {
    const base = Date.now() - 10_000;
    const store = new MemoryProvenanceStore();
    store.append(Array.from({ length: 30 }, (_, i) => event(i, base + i)));
    expect(store.query({ componentId: 'a', limit: 100 }).every((e) => e.componentId === 'a')).toBe(true);
    expect(store.query({ componentId: 'a', limit: 100 })).toHaveLength(10);
    expect(store.query({ type: 'DROP', limit: 3 }).map((e) => e.flowFileId)).toEqual(['ff-29', 'ff-27', 'ff-25']);
    expect(store.query({ flowFileId: 'ff-7' })).toHaveLength(1);
    expect(store.query({ from: base + 10, to: base + 12 }).map((e) => e.flowFileId)).toEqual([
      'ff-12',
      'ff-11',
      'ff-10',
    ]);
  });
});
