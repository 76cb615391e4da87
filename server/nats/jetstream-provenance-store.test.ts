import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type NatsServerHandle, startNats } from '../../test/helpers/nats-server';
import { newFlowFile } from '../engine/flowfile';
import type { NewProvenanceEvent } from '../engine/provenance';
import { ProvenanceBatch } from '../engine/provenance-batch';
import { JetStreamProvenanceStore } from './jetstream-provenance-store';
import { PROVENANCE_STREAM } from './names';
import { NatsLink } from './nats-link';

let nats: NatsServerHandle;
const links: NatsLink[] = [];

async function open(options: Parameters<typeof JetStreamProvenanceStore.open>[1] = {}) {
  const link = await NatsLink.open(nats.url);
  links.push(link);
  return { link, store: await JetStreamProvenanceStore.open(link, options) };
}

function event(type: NewProvenanceEvent['type'], flowFileId: string, extra: Partial<NewProvenanceEvent> = {}) {
  return {
    type,
    time: Date.now(),
    flowId: 'prov',
    flowFileId,
    componentId: 'p1',
    componentType: 'UpdateAttribute',
    parentIds: [],
    childIds: [],
    attributes: { uuid: flowFileId, filename: `${flowFileId}.txt` },
    contentSize: 3,
    lineageStartDate: 1,
    ...extra,
  } satisfies NewProvenanceEvent;
}

beforeAll(async () => {
  nats = await startNats();
});

afterAll(async () => {
  for (const l of links) await l.close();
  await nats?.stop();
});

describe('JetStreamProvenanceStore', () => {
  test('events survive the process: a store opened later answers queries and lineage from the stream', async () => {
    const first = await open({ maxAgeMs: 3_600_000, maxBytes: 64 * 1024 * 1024 });
    await first.store.append([event('CREATE', 'a'), event('FORK', 'a', { childIds: ['b', 'c'] })]);
    await first.store.append([event('ATTRIBUTES_MODIFIED', 'b'), event('DROP', 'c')]);
    const ids = first.store.query({ flowId: 'prov' }).map((e) => e.eventId);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    const info = await first.link.jsm.streams.info(PROVENANCE_STREAM);
    expect(info.config).toMatchObject({ retention: 'limits', discard: 'old', max_age: 3_600_000 * 1e6 });
    expect(info.config.max_bytes).toBe(64 * 1024 * 1024);
    await first.store.close();
    await first.link.close();

    const second = await open();
    const events = second.store.query({ flowId: 'prov' });
    expect(events.map((e) => e.type).sort()).toEqual(['ATTRIBUTES_MODIFIED', 'CREATE', 'DROP', 'FORK']);
    expect(events.map((e) => e.eventId).sort()).toEqual([...ids].sort());
    expect(second.store.query({ flowFileId: 'b' })[0]).toMatchObject({ type: 'ATTRIBUTES_MODIFIED', contentSize: 3 });
    const lineage = second.store.lineage('b');
    expect(new Set(lineage.flowFileIds)).toEqual(new Set(['a', 'b', 'c']));
    expect(lineage.events).toHaveLength(4);
    await second.store.close();
  });

  test('two processes see each other’s events; a large append spans several messages', async () => {
    const a = await open();
    const b = await open();
    const many = Array.from({ length: 2500 }, (_, i) => event('CREATE', `m${i}`));
    await a.store.append(many);
    const deadline = Date.now() + 5000;
    while (b.store.query({ type: 'CREATE', limit: 10_000 }).filter((e) => e.flowFileId.startsWith('m')).length < 2500) {
      if (Date.now() > deadline) throw new Error('events of the other process did not arrive');
      await new Promise((r) => setTimeout(r, 20));
    }
    const seen = b.store.query({ type: 'CREATE', limit: 10_000 }).filter((e) => e.flowFileId.startsWith('m'));
    expect(new Set(seen.map((e) => e.eventId)).size).toBe(2500);
    expect(await b.store.get(seen[0]!.eventId)).toMatchObject({ flowFileId: seen[0]!.flowFileId });
    await a.store.close();
    await b.store.close();
  });

  test('an event the index has evicted is read back from the stream', async () => {
    // An index smaller than the old event: it (and the events of earlier tests) must leave, the small new ones stay.
    const { store } = await open({ indexRetention: { maxBytes: 8000 } });
    await store.append([event('CREATE', 'old', { attributes: { uuid: 'old', payload: 'x'.repeat(10_000) } })]);
    const [old] = store.query({ flowFileId: 'old' });
    await store.append(Array.from({ length: 20 }, (_, i) => event('CREATE', `new${i}`)));
    expect(await store.evictIndex()).toBeGreaterThan(0);
    expect(store.query({ flowFileId: 'old' })).toEqual([]);
    expect(store.query({ flowFileId: 'new19' })).toHaveLength(1);
    expect(await store.get(old!.eventId)).toMatchObject({ flowFileId: 'old', type: 'CREATE', eventId: old!.eventId });
    await store.close();
  });

  test('an index on disk is reused after a restart and catches up with what it missed', async () => {
    const indexDir = mkdtempSync(path.join(tmpdir(), 'sluice-prov-index-'));
    try {
      const first = await open({ indexDir });
      await first.store.append([event('CREATE', 'before-restart', { flowId: 'restart' })]);
      await first.store.close();
      const other = await open();
      await other.store.append([event('CREATE', 'while-away', { flowId: 'restart' })]);
      await other.store.close();
      const again = await open({ indexDir });
      expect(
        again.store
          .query({ flowId: 'restart' })
          .map((e) => e.flowFileId)
          .sort(),
      ).toEqual(['before-restart', 'while-away']);
      await again.store.close();
    } finally {
      rmSync(indexDir, { recursive: true, force: true });
    }
  });

  test('a session batch is stored by column and reads back the same events, here and in another process', async () => {
    const a = await open();
    const b = await open();
    const batch = new ProvenanceBatch(Date.now(), 'batched', 'split', 'SplitText');
    const parent = newFlowFile('a\nb', { filename: 'in.txt' });
    const kids = Array.from({ length: 1500 }, () => newFlowFile('x', { filename: 'part.txt' }));
    batch.add('FORK', parent, undefined, { childIds: kids.map((k) => k.id) });
    for (const k of kids) batch.add('ROUTE', k, 'splits');
    batch.add('DROP', parent, 'original');
    batch.add('SEND', kids[0]!, undefined, { transitUri: 'file:///tmp/part.txt' });
    await a.store.appendBatch(batch);
    const mine = a.store.query({ flowId: 'batched', limit: 10_000 });
    expect(mine).toHaveLength(1503);
    const deadline = Date.now() + 5000;
    while (b.store.query({ flowId: 'batched', limit: 10_000 }).length < 1503) {
      if (Date.now() > deadline) throw new Error('the batch did not reach the other process');
      await new Promise((r) => setTimeout(r, 20));
    }
    const theirs = b.store.query({ flowId: 'batched', limit: 10_000 });
    const byId = new Map(theirs.map((e) => [e.eventId, e]));
    for (const e of mine) expect(byId.get(e.eventId)).toEqual(e);
    const drop = mine.find((e) => e.type === 'DROP')!;
    expect(drop).toMatchObject({ relationship: 'original', details: 'auto-terminated by original relationship' });
    expect(mine.find((e) => e.type === 'FORK')!.childIds).toHaveLength(1500);
    expect(mine.find((e) => e.type === 'SEND')!.transitUri).toBe('file:///tmp/part.txt');
    expect(b.store.lineage(kids[7]!.id).flowFileIds).toContain(parent.id);
    await a.store.close();
    await b.store.close();
  });

  test('a FORK into 100,000 children goes out in parts under max_payload and reads back whole', async () => {
    const a = await open();
    const b = await open();
    const batch = new ProvenanceBatch(Date.now(), 'wide', 'split', 'SplitText');
    const parent = newFlowFile('many lines', { filename: 'big.txt' });
    const kids = Array.from({ length: 100_000 }, (_, i) => newFlowFile(String(i)));
    batch.add('FORK', parent, undefined, { childIds: kids.map((k) => k.id) });
    await a.store.appendBatch(batch);
    const childrenIn = (events: { childIds?: readonly string[] }[]) => events.flatMap((e) => e.childIds ?? []);
    const forks = a.store.query({ flowId: 'wide', type: 'FORK', limit: 1000 });
    expect(forks.length).toBeGreaterThan(1); // 3.7 MB of child ids cannot be one 1 MB message
    expect(new Set(childrenIn(forks)).size).toBe(100_000);
    const deadline = Date.now() + 10_000;
    while (childrenIn(b.store.query({ flowId: 'wide', type: 'FORK', limit: 1000 })).length < 100_000) {
      if (Date.now() > deadline) throw new Error('the parts did not reach the other process');
      await new Promise((r) => setTimeout(r, 50));
    }
    const theirs = b.store.query({ flowId: 'wide', type: 'FORK', limit: 1000 });
    expect(childrenIn(theirs).sort()).toEqual(kids.map((k) => k.id).sort());
    expect(b.store.lineage(kids[99_999]!.id).flowFileIds).toContain(parent.id);
    await a.store.close();
    await b.store.close();
  });
});
