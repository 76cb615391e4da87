import { describe, expect, test } from 'vitest';
import { newFlowFile } from '../engine/flowfile';
import { type NewProvenanceEvent, NO_IDS } from '../engine/provenance';
import { ProvenanceBatch } from '../engine/provenance-batch';
import { DEFAULT_RETENTION, MemoryProvenanceStore, retentionFromEnv } from './memory-provenance-store';

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

describe('MemoryProvenanceStore with session batches', () => {
  const ff = (id: string) => ({ ...newFlowFile('abc'), id });

  test('numbers batch events in order, evicts by count inside a batch, and builds events only when read', () => {
    const store = new MemoryProvenanceStore({ maxEvents: 5 });
    const first = new ProvenanceBatch(Date.now(), 'f', 'gen', 'GenerateFlowFile');
    for (const id of ['a', 'b', 'c', 'd']) first.add('CREATE', ff(id));
    store.appendBatch(first);
    const second = new ProvenanceBatch(Date.now(), 'f', 'sink', 'LogAttribute');
    second.add('DROP', ff('a'), 'success');
    second.add('DROP', ff('b'));
    store.appendBatch(second);
    expect(store.size).toBe(5);
    const all = store.query({ limit: 10 });
    expect(all.map((e) => [e.eventId, e.type, e.flowFileId])).toEqual([
      [6, 'DROP', 'b'],
      [5, 'DROP', 'a'],
      [4, 'CREATE', 'd'],
      [3, 'CREATE', 'c'],
      [2, 'CREATE', 'b'],
    ]);
    expect(all[1]).toMatchObject({
      componentId: 'sink',
      relationship: 'success',
      details: 'auto-terminated by success relationship',
    });
    expect(all[0]!.details).toBe('removed by processor');
    expect(store.get(1)).toBeUndefined();
    expect(store.get(4)?.flowFileId).toBe('d');
    expect(store.query({ componentId: 'gen' }).map((e) => e.flowFileId)).toEqual(['d', 'c', 'b']);
  });

  test('lineage follows parents and children recorded in batches', () => {
    const store = new MemoryProvenanceStore();
    const split = new ProvenanceBatch(Date.now(), 'f', 'split', 'SplitText');
    split.add('FORK', ff('parent'), undefined, { childIds: ['kid-1', 'kid-2'] });
    split.add('DROP', ff('parent'));
    store.appendBatch(split);
    const sink = new ProvenanceBatch(Date.now(), 'f', 'sink', 'LogAttribute');
    sink.add('DROP', ff('kid-2'), 'success');
    store.appendBatch(sink);
    const lineage = store.lineage('kid-2');
    expect(lineage.flowFileIds.sort()).toEqual(['kid-1', 'kid-2', 'parent']);
    expect(lineage.events.map((e) => e.type).sort()).toEqual(['DROP', 'DROP', 'FORK']);
  });
});

test('retention can be set from the environment', () => {
  expect(retentionFromEnv({ SLUICE_PROVENANCE_MAX_EVENTS: '5000', SLUICE_PROVENANCE_MAX_AGE: '1h' })).toEqual({
    maxEvents: 5000,
    maxAgeMs: 3_600_000,
  });
  expect(retentionFromEnv({})).toEqual(DEFAULT_RETENTION);
});
