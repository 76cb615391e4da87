import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ABORT, open } from 'lmdb';
import { afterEach, describe, expect, test } from 'vitest';
import { newFlowFile } from '../../engine/flowfile';
import { ProvenanceBatch } from '../../engine/provenance-batch';
import { LmdbProvenanceStore } from './lmdb-provenance-store';
import { looseEvent } from './provenance-store-contract';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-prov-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A session's batch at `time`: `n` CREATEs by `component`, ids `${prefix}-0` ... */
function batchOf(prefix: string, n: number, time = Date.now(), component = 'gen'): ProvenanceBatch {
  const batch = new ProvenanceBatch(time, 'flow', component, 'GenerateFlowFile');
  for (let i = 0; i < n; i++) batch.add('CREATE', { ...newFlowFile('x', { n: String(i) }), id: `${prefix}-${i}` });
  return batch;
}

describe('LmdbProvenanceStore', () => {
  test('events survive a restart, and new ids continue above the old ones', async () => {
    const dir = tempDir();
    let store = LmdbProvenanceStore.open(dir, { segmentEntries: 8 });
    const split = new ProvenanceBatch(Date.now(), 'flow', 'split', 'SplitText');
    split.add('FORK', { ...newFlowFile('ab'), id: 'parent' }, undefined, { childIds: ['kid-1', 'kid-2'] });
    await store.appendBatch(split);
    for (let b = 0; b < 10; b++) await store.appendBatch(batchOf(`b${b}`, 5));
    const before = store.query({ limit: 1000 });
    expect(before).toHaveLength(51);
    await store.close();

    store = LmdbProvenanceStore.open(dir, { segmentEntries: 8 });
    expect(store.query({ limit: 1000 })).toEqual(before);
    expect(store.get(1)).toMatchObject({ type: 'FORK', flowFileId: 'parent', childIds: ['kid-1', 'kid-2'] });
    expect(store.query({ flowFileId: 'b3-2' })).toMatchObject([{ eventId: 2 + 3 * 5 + 2 }]);
    const sink = new ProvenanceBatch(Date.now(), 'flow', 'sink', 'LogAttribute');
    sink.add('DROP', { ...newFlowFile('a'), id: 'kid-2' }, 'success');
    await store.appendBatch(sink);
    expect(store.query({ flowFileId: 'kid-2' })).toMatchObject([{ eventId: 52, type: 'DROP' }]);
    expect(new Set(store.lineage('kid-2').flowFileIds)).toEqual(new Set(['parent', 'kid-1', 'kid-2']));
    await store.close();
  });

  test('a crash before close loses no index entries: the unsaved FlowFile index segment is rebuilt', async () => {
    const dir = tempDir();
    const root = open({ path: dir, maxDbs: 8 });
    const store = new LmdbProvenanceStore(root, { segmentEntries: 8 });
    for (let b = 0; b < 7; b++) await store.appendBatch(batchOf(`c${b}`, 3));
    await root.close(); // no store.close(): the current segment's filter was never saved
    const again = LmdbProvenanceStore.open(dir, { segmentEntries: 8 });
    for (let b = 0; b < 7; b++)
      for (let i = 0; i < 3; i++) expect(again.query({ flowFileId: `c${b}-${i}` })).toHaveLength(1);
    await again.appendBatch(batchOf('after', 1));
    expect(again.query({ limit: 1 })[0]).toMatchObject({ eventId: 22, flowFileId: 'after-0' });
    await again.close();
  });

  test("stage() writes in the caller's transaction: it commits, or aborts, with the caller's own writes", async () => {
    const dir = tempDir();
    const root = open({ path: dir, maxDbs: 8 });
    const queue = root.openDB<string, string>('queue', {});
    const store = new LmdbProvenanceStore(root);
    await root.transaction(() => {
      queue.put('ff-1', 'queued');
      store.stage(batchOf('kept', 2));
    });
    await root.transaction(() =>
      root.childTransaction(() => {
        queue.put('ff-2', 'queued');
        store.stage(batchOf('aborted', 2));
        return ABORT;
      }),
    );
    expect(queue.get('ff-1')).toBe('queued');
    expect(queue.get('ff-2')).toBeUndefined();
    expect(store.query({}).map((e) => e.flowFileId)).toEqual(['kept-1', 'kept-0']);
    expect(store.query({ flowFileId: 'aborted-0' })).toEqual([]);
    await store.close();
    await root.close();
  });

  test('caller-numbered events (NATS mode) keep their ids, and a repeated record is written once', async () => {
    const store = LmdbProvenanceStore.open(tempDir());
    const batch = batchOf('n', 6);
    await store.transaction(() => {
      store.stageWithIds(batch, 5 * 1024, 0, 4);
      store.stageWithIds(batch, 6 * 1024, 4, 6);
    });
    await store.transaction(() => store.stageWithIds(batch, 5 * 1024, 0, 4));
    const events = [looseEvent(0), looseEvent(1)].map((e, i) => ({ ...e, eventId: 7 * 1024 + i }));
    await store.transaction(() => store.stageNumberedEvents(events));
    expect(store.query({ limit: 100 }).map((e) => e.eventId)).toEqual([7169, 7168, 6145, 6144, 5123, 5122, 5121, 5120]);
    expect(store.get(6145)).toMatchObject({ flowFileId: 'n-5' });
    expect(store.get(6146)).toBeUndefined();
    expect(store.nextEventId).toBe(7170);
    await store.close();
  });

  test('queries see committed records before the indexer reaches them, and answer the same after', async () => {
    const store = LmdbProvenanceStore.open(tempDir(), { segmentEntries: 4, indexDelayMs: 60_000 });
    const t = Date.now() - 1000;
    const split = new ProvenanceBatch(t, 'flow', 'split', 'SplitText');
    split.add('FORK', { ...newFlowFile('ab'), id: 'parent' }, undefined, { childIds: ['kid-1', 'kid-2'] });
    split.add('DROP', { ...newFlowFile('ab'), id: 'parent' });
    const sink = new ProvenanceBatch(t + 5, 'other', 'sink', 'LogAttribute');
    sink.add('DROP', { ...newFlowFile('a'), id: 'kid-1' }, 'success');
    await store.transaction(() => {
      store.stage(batchOf('q', 5, t));
      store.stage(split);
      store.stage(sink);
      store.stage(batchOf('r', 3, t + 10, 'gen-2'));
    });
    const answers = () => [
      store.query({ limit: 100 }),
      store.query({ limit: 2 }),
      store.query({ flowFileId: 'q-3' }),
      store.query({ flowFileId: 'kid-1' }),
      store.query({ componentId: 'gen' }),
      store.query({ type: 'DROP' }),
      store.query({ type: 'CREATE', componentId: 'gen-2', limit: 2 }),
      store.query({ flowId: 'other' }),
      store.query({ from: t + 5, to: t + 10 }),
      store.query({ from: t + 11 }),
      store.lineage('kid-1'),
      store.get(7),
    ];
    const before = answers();
    expect(store.stats().indexedTo).toBe(0);
    expect(before[0]).toHaveLength(11);
    expect(before[3]).toMatchObject([{ type: 'DROP', componentId: 'sink' }]);
    expect(new Set((before[10] as { flowFileIds: string[] }).flowFileIds)).toEqual(
      new Set(['parent', 'kid-1', 'kid-2']),
    );
    expect((before[8] as unknown[]).length).toBe(4);
    await store.flushIndex();
    expect(store.stats().indexedTo).toBe(9);
    expect(answers()).toEqual(before);
    await store.close();
  });

  test('a crash before the indexer ran loses no events: the next open indexes them, bytes counted once', async () => {
    const dir = tempDir();
    const root = open({ path: dir, maxDbs: 8 });
    const store = new LmdbProvenanceStore(root, { segmentEntries: 4, indexDelayMs: 60_000 });
    const batches = Array.from({ length: 6 }, (_, b) => batchOf(`k${b}`, 3, Date.now(), `gen-${b % 2}`));
    await root.transaction(() => {
      for (const batch of batches) store.stage(batch);
    });
    await root.close(); // no store.close(): nothing was indexed
    const reference = LmdbProvenanceStore.open(tempDir(), { segmentEntries: 4 });
    for (const batch of batches) await reference.appendBatch(batch);

    const again = LmdbProvenanceStore.open(dir, { segmentEntries: 4 });
    expect(again.query({ flowFileId: 'k4-1' })).toMatchObject([{ eventId: 14 }]);
    await again.flushIndex();
    expect(again.stats().indexedTo).toBe(16);
    expect(again.bytes).toBe(reference.bytes);
    for (let b = 0; b < 6; b++) expect(again.query({ flowFileId: `k${b}-2` })).toHaveLength(1);
    expect(again.query({ componentId: 'gen-1', limit: 100 })).toHaveLength(9);
    const brief = (s: LmdbProvenanceStore) =>
      s.query({ limit: 100 }).map((e) => [e.eventId, e.flowFileId, e.componentId, e.type]);
    expect(brief(again)).toEqual(brief(reference));
    await again.close();
    await reference.close();
  });

  test('a record written behind the indexer (NATS: an earlier message applied late) is indexed at once', async () => {
    const store = LmdbProvenanceStore.open(tempDir(), { indexDelayMs: 60_000 });
    await store.transaction(() => store.stageWithIds(batchOf('late', 2), 6 * 1024));
    await store.flushIndex();
    await store.transaction(() => store.stageWithIds(batchOf('early', 2), 5 * 1024));
    const ids = () => store.query({ limit: 10 }).map((e) => e.eventId);
    expect(ids()).toEqual([6145, 6144, 5121, 5120]);
    expect(store.query({ flowFileId: 'early-1' })).toMatchObject([{ eventId: 5121 }]);
    expect(store.query({ componentId: 'gen', from: 0 }).map((e) => e.eventId)).toEqual([6145, 6144, 5121, 5120]);
    await store.flushIndex();
    expect(ids()).toEqual([6145, 6144, 5121, 5120]);
    expect(store.query({ flowFileId: 'early-0' })).toMatchObject([{ eventId: 5120 }]);
    await store.close();
  });

  test('time ranges over hours and seconds find exactly the events inside', async () => {
    const store = LmdbProvenanceStore.open(tempDir());
    const start = Date.UTC(2024, 0, 1, 10, 59, 58);
    const times = [0, 1500, 3000, 3_600_000, 3_600_000 + 1500, 7_300_000].map((t) => start + t);
    for (const [i, t] of times.entries()) await store.appendBatch(batchOf(`t${i}`, 2, t));
    const ids = (from?: number, to?: number) =>
      store.query({ from, to, limit: 100 }).map((e) => e.flowFileId.split('-')[0]);
    expect(ids(start + 1500, start + 3_600_000 + 1500)).toEqual(['t4', 't4', 't3', 't3', 't2', 't2', 't1', 't1']);
    expect(ids(start + 1501, start + 3_600_000)).toEqual(['t3', 't3', 't2', 't2']);
    expect(ids(undefined, start)).toEqual(['t0', 't0']);
    expect(ids(start + 7_000_000)).toEqual(['t5', 't5']);
    expect(ids(start + 4_000_000, start + 5_000_000)).toEqual([]);
    expect(store.query({ componentId: 'gen', from: start + 3000, to: start + 3000 })).toHaveLength(2);
    await store.close();
  });
});

describe('LmdbProvenanceStore retention', () => {
  test('evicts whole batches older than the maximum age, with their index entries', async () => {
    const store = LmdbProvenanceStore.open(tempDir(), { maxAgeMs: 60_000, segmentEntries: 4 });
    const old = Date.now() - 120_000;
    for (let b = 0; b < 5; b++) await store.appendBatch(batchOf(`old${b}`, 3, old + b));
    await store.appendBatch(batchOf('new', 3));
    const full = store.bytes;
    expect(await store.evict()).toBe(15);
    expect(store.query({ limit: 100 }).map((e) => e.flowFileId)).toEqual(['new-2', 'new-1', 'new-0']);
    expect(store.query({ flowFileId: 'old1-1' })).toEqual([]);
    expect(store.query({ componentId: 'gen', limit: 100 })).toHaveLength(3);
    expect(store.query({ type: 'CREATE', from: old, to: old + 10 })).toEqual([]);
    expect(store.get(1)).toBeUndefined();
    expect(store.lineage('old0-0').events).toEqual([]);
    expect(store.bytes).toBeLessThan(full / 4);
    expect(await store.evict()).toBe(0);
    await store.close();
  });

  test('evicts the oldest batches while the bytes written exceed the maximum size', async () => {
    const dir = tempDir();
    let store = LmdbProvenanceStore.open(dir);
    await store.appendBatch(batchOf('probe', 10));
    const perBatch = store.bytes;
    await store.close();
    // Room for about four batches of ten.
    store = LmdbProvenanceStore.open(dir, { maxBytes: perBatch * 4.5 });
    for (let b = 0; b < 10; b++) await store.appendBatch(batchOf(`s${b}`, 10));
    await store.evict();
    expect(store.bytes).toBeLessThanOrEqual(perBatch * 4.5);
    const left = new Set(store.query({ limit: 1000 }).map((e) => e.flowFileId.split('-')[0]));
    expect(left).toEqual(new Set(['s6', 's7', 's8', 's9']));
    await store.close();
    store = LmdbProvenanceStore.open(dir, { maxBytes: perBatch * 4.5 });
    expect(store.bytes).toBeLessThanOrEqual(perBatch * 4.5);
    expect(store.query({ flowFileId: 's9-9' })).toHaveLength(1);
    await store.close();
  });

  test('retention runs by itself on its timer, over many batches', async () => {
    const store = LmdbProvenanceStore.open(tempDir(), { maxAgeMs: 1000, evictIntervalMs: 20 });
    const old = Date.now() - 10_000;
    await store.transaction(() => {
      for (let b = 0; b < 400; b++) store.stage(batchOf(`o${b}`, 50, old));
    });
    await store.appendBatch(batchOf('fresh', 1));
    const deadline = Date.now() + 10_000;
    while (store.query({ limit: 2 }).length > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(store.query({ limit: 10 }).map((e) => e.flowFileId)).toEqual(['fresh-0']);
    await store.close();
  });
});

describe('LmdbProvenanceStore errors', () => {
  test('a directory that cannot be created fails with a message naming it', () => {
    const file = path.join(tempDir(), 'not-a-dir');
    writeFileSync(file, 'x');
    const dir = path.join(file, 'provenance');
    expect(() => LmdbProvenanceStore.open(dir)).toThrow(`provenance repository at ${dir}: opening failed: ENOTDIR`);
  });

  test('a repository of the earlier format is refused with a message naming it and what to do', async () => {
    const dir = tempDir();
    const root = open({ path: dir, maxDbs: 8 });
    await root.openDB<Buffer, number>('prov-events', { encoding: 'binary' }).put(1, Buffer.from([0x90]));
    await root.close();
    expect(() => LmdbProvenanceStore.open(dir)).toThrow(
      `provenance repository at ${dir}: opening the provenance databases failed: its provenance is in format 1 ` +
        'and this build reads format 2: move the directory aside',
    );
  });

  test('a disk that refuses writes rejects the write with a message naming the directory', () => {
    // A child process under a 2 MiB file-size limit (SIGXFSZ ignored) plays a full disk.
    const dir = path.join(tempDir(), 'prov');
    const fixture = path.join(import.meta.dirname, 'fill-until-full.fixture.ts');
    const run = spawnSync(
      'bash',
      ['-c', `trap '' XFSZ; ulimit -f 2048; exec "${process.execPath}" --import tsx "${fixture}" "${dir}"`],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.stdout.trim()).toMatch(
      new RegExp(
        `^provenance repository at ${dir}: writing provenance failed: .+ \\(the disk (is full|refused the write)`,
      ),
    );
  });
});
