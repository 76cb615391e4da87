/**
 * The behaviour every provenance store shares (MemoryProvenanceStore's, the reference): numbering, query
 * semantics (filters AND-ed, newest first, limit default 100, from/to inclusive), get and lineage. Each store
 * runs it from its own test file through `provenanceStoreContract`.
 */
import { describe, expect, test } from 'vitest';
import { newFlowFile } from '../../engine/flowfile';
import { type NewProvenanceEvent, NO_IDS, type ProvenanceStore } from '../../engine/provenance';
import { ProvenanceBatch } from '../../engine/provenance-batch';

export interface StoreUnderTest {
  store: ProvenanceStore;
  /** Closes the store and removes what it left on disk. */
  dispose(): Promise<void>;
}

export const looseEvent = (i: number, time = Date.now()): NewProvenanceEvent => ({
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

const ff = (id: string) => ({ ...newFlowFile('abc'), id });

export function provenanceStoreContract(name: string, make: () => Promise<StoreUnderTest> | StoreUnderTest): void {
  async function withStore(fn: (store: ProvenanceStore) => Promise<void>): Promise<void> {
    const { store, dispose } = await make();
    try {
      await fn(store);
    } finally {
      await dispose();
    }
  }

  describe(`${name}: provenance store contract`, () => {
    test('queries by component, type, FlowFile and time range, newest first, limited', () =>
      withStore(async (store) => {
        const base = Date.now() - 10_000;
        await store.append(Array.from({ length: 30 }, (_, i) => looseEvent(i, base + i)));
        const byA = await store.query({ componentId: 'a', limit: 100 });
        expect(byA).toHaveLength(10);
        expect(byA.every((e) => e.componentId === 'a')).toBe(true);
        expect((await store.query({ type: 'DROP', limit: 3 })).map((e) => e.flowFileId)).toEqual([
          'ff-29',
          'ff-27',
          'ff-25',
        ]);
        expect(await store.query({ flowFileId: 'ff-7' })).toHaveLength(1);
        expect((await store.query({ from: base + 10, to: base + 12 })).map((e) => e.flowFileId)).toEqual([
          'ff-12',
          'ff-11',
          'ff-10',
        ]);
        expect(await store.query({ limit: 0 })).toEqual([]);
        expect(await store.query({ from: base + 20, to: base + 10 })).toEqual([]);
      }));

    test('filters are AND-ed, and the default limit is 100', () =>
      withStore(async (store) => {
        const base = Date.now() - 10_000;
        await store.append(Array.from({ length: 150 }, (_, i) => looseEvent(i, base + i)));
        expect(await store.query({})).toHaveLength(100);
        const hits = await store.query({ componentId: 'a', type: 'CREATE', from: base + 30, to: base + 60 });
        expect(hits.map((e) => e.flowFileId)).toEqual(['ff-60', 'ff-54', 'ff-48', 'ff-42', 'ff-36', 'ff-30']);
        expect(await store.query({ componentId: 'a', flowFileId: 'ff-1' })).toEqual([]);
        expect(await store.query({ flowId: 'other' })).toEqual([]);
        expect(await store.query({ flowId: 'f', flowFileId: 'ff-3', type: 'DROP' })).toMatchObject([
          { flowFileId: 'ff-3', componentId: 'a' },
        ]);
      }));

    test('numbers batch events in order and derives DROP details', () =>
      withStore(async (store) => {
        const first = new ProvenanceBatch(Date.now(), 'f', 'gen', 'GenerateFlowFile');
        for (const id of ['a', 'b', 'c', 'd']) first.add('CREATE', ff(id));
        await store.appendBatch!(first);
        const second = new ProvenanceBatch(Date.now(), 'f', 'sink', 'LogAttribute');
        second.add('DROP', ff('a'), 'success');
        second.add('DROP', ff('b'));
        await store.appendBatch!(second);
        const all = await store.query({ limit: 10 });
        expect(all.map((e) => [e.eventId, e.type, e.flowFileId])).toEqual([
          [6, 'DROP', 'b'],
          [5, 'DROP', 'a'],
          [4, 'CREATE', 'd'],
          [3, 'CREATE', 'c'],
          [2, 'CREATE', 'b'],
          [1, 'CREATE', 'a'],
        ]);
        expect(all[1]).toMatchObject({
          componentId: 'sink',
          relationship: 'success',
          details: 'auto-terminated by success relationship',
        });
        expect(all[0]!.details).toBe('removed by processor');
        expect((await store.get(4))?.flowFileId).toBe('d');
        expect(await store.get(7)).toBeUndefined();
        expect((await store.query({ componentId: 'gen' })).map((e) => e.flowFileId)).toEqual(['d', 'c', 'b', 'a']);
      }));

    test('lineage follows parents and children recorded in batches', () =>
      withStore(async (store) => {
        const split = new ProvenanceBatch(Date.now(), 'f', 'split', 'SplitText');
        split.add('FORK', ff('parent'), undefined, { childIds: ['kid-1', 'kid-2'] });
        split.add('DROP', ff('parent'));
        await store.appendBatch!(split);
        const sink = new ProvenanceBatch(Date.now(), 'f', 'sink', 'LogAttribute');
        sink.add('DROP', ff('kid-2'), 'success');
        await store.appendBatch!(sink);
        const lineage = await store.lineage('kid-2');
        expect(lineage.flowFileIds.sort()).toEqual(['kid-1', 'kid-2', 'parent']);
        expect(lineage.events.map((e) => e.type).sort()).toEqual(['DROP', 'DROP', 'FORK']);
        expect((await store.lineage('nobody')).events).toEqual([]);
        // A query by FlowFile id matches the event's own FlowFile, not the ids it names.
        expect((await store.query({ flowFileId: 'kid-1' })).map((e) => e.type)).toEqual([]);
      }));

    test('an event reads back exactly as it was recorded, claims, URIs and all', () =>
      withStore(async (store) => {
        const parent = newFlowFile('a\nb', { filename: 'in.txt', 'mime.type': 'text/plain' });
        const kid = newFlowFile('a', { filename: 'part.txt' });
        const batch = new ProvenanceBatch(Date.now() - 5, 'flow-1', 'split', 'SplitText');
        batch.add('FORK', parent, undefined, { childIds: [kid.id] });
        batch.add('SEND', kid, 'splits', { transitUri: 'file:///tmp/part.txt', details: 'sent' });
        batch.add('CONTENT_MODIFIED', { ...kid, id: 'not-a-uuid', size: 12 });
        batch.setClaims(2, 'claim-2', 'claim-1');
        batch.setClaims(0, 'claim-0');
        await store.appendBatch!(batch);
        const loose: NewProvenanceEvent = {
          ...looseEvent(1),
          type: 'DROP',
          flowFileId: kid.id,
          attributes: { uuid: kid.id, note: 'expired' },
          componentType: 'Connection',
          details: 'expired after 1 min',
          contentClaim: 'claim-9',
        };
        await store.append([loose]);
        const expected = batch.toEvents().map((e, i) => ({ ...e, eventId: i + 1 }));
        for (const e of expected) expect(await store.get(e.eventId)).toEqual(e);
        expect(await store.get(4)).toEqual({ ...loose, eventId: 4 });
        expect((await store.get(4))?.details).toBe('expired after 1 min');
        expect((await store.query({ flowFileId: 'not-a-uuid' }))[0]).toMatchObject({
          contentClaim: 'claim-2',
          previousContentClaim: 'claim-1',
          contentSize: 12,
        });
      }));
  });
}
