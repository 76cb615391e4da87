import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { FlowFile } from '../engine/flowfile';
import type { NewProvenanceEvent, ProvenanceEventType } from '../engine/provenance';
import { ProvenanceBatch } from '../engine/provenance-batch';
import {
  decodeProvenance,
  encodeBatchMessages,
  encodeBatchSlice,
  encodeBatchSliceV2,
  encodeEvents,
} from './provenance-codec';

const TIME = 1_700_000_000_000;

function ff(attributes: Record<string, string> = {}, id: string = randomUUID(), size = 100): FlowFile {
  return {
    id,
    attributes: { uuid: id, filename: id, ...attributes },
    content: Buffer.alloc(0),
    size,
    entryDate: TIME - 5,
    lineageStartDate: TIME - 1000,
  };
}

/** A session's batch with one of every kind of event. */
function sampleBatch(): ProvenanceBatch {
  const batch = new ProvenanceBatch(TIME, 'flow-1', 'proc-1', 'UpdateAttribute');
  const parent = ff({ a: '1' });
  batch.add('CREATE', ff({ a: '1', b: '2' }));
  batch.add('ATTRIBUTES_MODIFIED', ff({ region: 'eu', city: 'Zürich', note: '🚀 東京' }), 'success');
  batch.add('ROUTE', ff({}), 'matched');
  batch.add('DROP', ff({ a: '1' }));
  batch.add('DROP', ff({ a: '1' }), 'failure');
  batch.add('FORK', parent, undefined, { childIds: [randomUUID(), randomUUID(), 'child-3'] });
  batch.add('JOIN', ff({ merged: 'yes' }), undefined, { parentIds: [parent.id, 'p-2'] });
  batch.add('SEND', ff({ a: '1' }, 'plain-id', 0), 'success', { transitUri: 'nats://x/y', details: 'sent ✓' });
  batch.add('CONTENT_MODIFIED', { ...ff({ long: 'é'.repeat(5000) }), lineageStartDate: 1.5 });
  batch.add('CONTENT_MODIFIED', { ...ff({}), lineageStartDate: 0.1 });
  batch.add('CLONE', ff({}, randomUUID(), 2 ** 40), undefined, { parentIds: [], childIds: [] });
  return batch;
}

function decodedBatch(data: Buffer): ProvenanceBatch {
  const decoded = decodeProvenance(data);
  if (!('batch' in decoded)) throw new Error('expected a batch');
  return decoded.batch;
}

function events(batch: ProvenanceBatch, from = 0, to = batch.length): NewProvenanceEvent[] {
  return batch.toEvents().slice(from, to);
}

describe('provenance codec', () => {
  test('a batch round-trips in version 3: attributes, relationships, parents, children, details, URIs', () => {
    const batch = sampleBatch();
    const data = encodeBatchSlice(batch, 0, batch.length);
    expect(data[0]).toBe(0xc1);
    expect(data[1]).toBe(3);
    const decoded = decodedBatch(data);
    expect(decoded).toMatchObject({ time: TIME, flowId: 'flow-1', componentId: 'proc-1' });
    expect(decoded.componentType).toBe('UpdateAttribute');
    expect(events(decoded)).toEqual(events(batch));
    // A slice is its events only; each event has an attributes object of its own.
    expect(events(decodedBatch(encodeBatchSlice(batch, 3, 7)))).toEqual(events(batch, 3, 7));
    expect(decoded.flowFiles[0]!.attributes).not.toBe(decoded.flowFiles[3]!.attributes);
    expect(decodedBatch(encodeBatchSlice(batch, 0, 0)).length).toBe(0);
  });

  test('values and names are written once: much smaller than version 2', () => {
    const batch = new ProvenanceBatch(TIME, 'flow-1', 'tag', 'UpdateAttribute');
    for (let i = 0; i < 1000; i++) batch.add('ATTRIBUTES_MODIFIED', ff({ a: '1', b: '2', region: 'eu' }));
    const v2 = encodeBatchSliceV2(batch, 0, 1000).length;
    const v3 = encodeBatchSlice(batch, 0, 1000).length;
    expect(v3).toBeLessThan(0.4 * v2);
    expect(events(decodedBatch(encodeBatchSlice(batch, 0, 1000)))).toEqual(events(batch));
  });

  test('versions 1 and 2 (written by an older Sluice) still decode', () => {
    const batch = sampleBatch();
    expect(events(decodedBatch(encodeBatchSliceV2(batch, 0, batch.length)))).toEqual(events(batch));
    expect(events(decodedBatch(encodeBatchSliceV2(batch, 2, 6)))).toEqual(events(batch, 2, 6));
    const list = events(batch);
    const decoded = decodeProvenance(encodeEvents(list));
    expect(decoded).toEqual({ events: list });
    expect(() => decodeProvenance(Buffer.from('nope'))).toThrow();
  });

  test('a truncated or unknown message throws', () => {
    const data = encodeBatchSlice(sampleBatch(), 0, 10);
    expect(() => decodeProvenance(data.subarray(0, data.length - 3))).toThrow(/truncated/);
    const future = Buffer.from(data);
    future[1] = 7;
    expect(() => decodeProvenance(future)).toThrow(/version 7/);
  });

  test('encodeBatchMessages: consecutive events, every message within maxBytes and maxEvents, as few as fit', () => {
    const batch = new ProvenanceBatch(TIME, 'flow-1', 'p', 'ExecuteScript');
    const types: ProvenanceEventType[] = ['CREATE', 'ATTRIBUTES_MODIFIED', 'ROUTE', 'DROP'];
    for (let i = 0; i < 3000; i++)
      batch.add(
        types[i % 4]!,
        ff(i % 7 === 0 ? { big: 'x'.repeat(i % 500), n: String(i) } : { a: '1', region: i % 2 ? 'eu' : 'us' }),
        i % 3 === 0 ? 'success' : undefined,
        i % 11 === 0 ? { childIds: [randomUUID(), randomUUID()] } : undefined,
      );
    for (const [maxBytes, maxEvents] of [
      [4096, 1000],
      [64 * 1024, 1000],
      [1024 * 1024 - 4096, 1000],
      [1024 * 1024, 250],
    ] as const) {
      const chunks = encodeBatchMessages(batch, maxBytes, maxEvents);
      let at = 0;
      for (const c of chunks) {
        expect(c.from).toBe(at);
        expect(c.part).toBeUndefined();
        expect(c.data.length).toBeLessThanOrEqual(maxBytes);
        expect(c.to - c.from).toBeLessThanOrEqual(maxEvents);
        expect(events(decodedBatch(c.data))).toEqual(events(batch, c.from, c.to));
        // Greedy: one more event would not have fit.
        if (c.to < batch.length && c.to - c.from < maxEvents)
          expect(encodeBatchSlice(batch, c.from, c.to + 1).length).toBeGreaterThan(maxBytes);
        at = c.to;
      }
      expect(at).toBe(batch.length);
    }
    expect(encodeBatchMessages(batch, 1024 * 1024).map((c) => c.to - c.from)).toEqual([1000, 1000, 1000]);
    expect(encodeBatchMessages(new ProvenanceBatch(TIME, 'f', 'c', 'k'), 4096)).toEqual([]);
  });

  test('a FORK into 100,000 children is split into parts within 1 MiB - 4096, children in order', () => {
    const maxBytes = 1024 * 1024 - 4096;
    const childIds = Array.from({ length: 100_000 }, () => randomUUID());
    const batch = new ProvenanceBatch(TIME, 'flow-1', 'split', 'SplitText');
    const before = ff({ a: '1' });
    const parent = ff({ a: '1', 'fragment.count': '100000' });
    const after = ff({ b: '2' });
    batch.add('CREATE', before);
    batch.add('FORK', parent, undefined, { childIds, details: 'split' });
    batch.add('DROP', after, 'original');
    const chunks = encodeBatchMessages(batch, maxBytes);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks[0]).toMatchObject({ from: 0, to: 1 });
    expect(chunks.at(-1)).toMatchObject({ from: 2, to: 3 });
    const parts = chunks.slice(1, -1);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    const children: string[] = [];
    parts.forEach((c, index) => {
      expect(c).toMatchObject({ from: 1, to: 2, part: { of: parts.length, index } });
      expect(c.data.length).toBeLessThanOrEqual(maxBytes);
      const decoded = decodeProvenance(c.data);
      expect(decoded).toMatchObject({ part: { of: parts.length, index } });
      const b = decodedBatch(c.data);
      expect(b.length).toBe(1);
      const { childIds: slice, ...event } = b.toEvents()[0]!;
      const { childIds: _, ...original } = events(batch, 1, 2)[0]!;
      expect(event).toEqual(original);
      expect(slice.length).toBeGreaterThan(0);
      children.push(...slice);
    });
    expect(children).toEqual(childIds);
    // As few parts as fit: all but the last are nearly full.
    for (const c of parts.slice(0, -1)) expect(c.data.length).toBeGreaterThan(maxBytes - 40);
    for (const c of [chunks[0]!, chunks.at(-1)!])
      expect(events(decodedBatch(c.data))).toEqual(events(batch, c.from, c.to));
  });

  test('an event with many parents and children splits parents first, then children', () => {
    const parentIds = Array.from({ length: 300 }, (_, i) => `parent-${i}`);
    const childIds = Array.from({ length: 300 }, () => randomUUID());
    const batch = new ProvenanceBatch(TIME, 'flow-1', 'p', 'MergeContent');
    batch.add('JOIN', ff({ a: '1' }), 'merged', { parentIds, childIds });
    const chunks = encodeBatchMessages(batch, 2000);
    expect(chunks.length).toBeGreaterThan(3);
    const got = { parents: [] as string[], children: [] as string[] };
    for (const c of chunks) {
      expect(c.data.length).toBeLessThanOrEqual(2000);
      const e = decodedBatch(c.data).toEvents()[0]!;
      expect(e).toMatchObject({ type: 'JOIN', relationship: 'merged', attributes: batch.flowFiles[0]!.attributes });
      got.parents.push(...e.parentIds);
      got.children.push(...e.childIds);
    }
    expect(got).toEqual({ parents: parentIds, children: childIds });
  });

  test('an event too large even with one child per message throws, naming the FlowFile and the limit', () => {
    const batch = new ProvenanceBatch(TIME, 'flow-1', 'p', 'UpdateAttribute');
    const small = ff({ a: '1' });
    const huge = ff({ note: 'y'.repeat(10_000) });
    batch.add('CREATE', small);
    batch.add('FORK', huge, undefined, { childIds: [randomUUID()] });
    expect(() => encodeBatchMessages(batch, 4096)).toThrow(huge.id);
    expect(() => encodeBatchMessages(batch, 4096)).toThrow(/4096/);
    const alone = new ProvenanceBatch(TIME, 'flow-1', 'p', 'UpdateAttribute');
    alone.add('ATTRIBUTES_MODIFIED', huge);
    expect(() => encodeBatchMessages(alone, 4096)).toThrow(huge.id);
  });
});
