import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { type FlowFile, newFlowFile } from '../engine/flowfile';
import {
  type DecodedFlowFile,
  decodeBatch,
  encodeBatch,
  encodeMessages,
  MessageTooLargeError,
  type OutgoingFlowFile,
} from './codec';
import { encodeBatchV1 } from './codec-v1';

function flowFile(
  id: string,
  attributes: Record<string, string>,
  content: Buffer,
  dates = [1_700_000_000_000, 1_690_000_000_000],
) {
  return {
    id,
    attributes,
    content,
    size: content.length,
    entryDate: dates[0]!,
    lineageStartDate: dates[1]!,
  } satisfies FlowFile;
}

/** What a decoded entry must equal for a FlowFile sent inline or by claim. */
function expected({ ff, claim }: OutgoingFlowFile): DecodedFlowFile {
  return {
    id: ff.id,
    attributes: { ...ff.attributes },
    content: claim === undefined ? ff.content : undefined,
    claim,
    size: ff.size,
    entryDate: ff.entryDate,
    lineageStartDate: ff.lineageStartDate,
  };
}

function roundTrip(items: OutgoingFlowFile[]): DecodedFlowFile[] {
  const decoded = decodeBatch(encodeBatch(items));
  expect(decoded).toEqual(items.map(expected));
  return decoded;
}

/** Random FlowFiles of mixed sizes, attributes (some shared, some unique, some unicode), ids and claims. */
function randomItems(n: number, seed: number): OutgoingFlowFile[] {
  let s = seed >>> 0;
  const rand = (k: number) => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * k);
  };
  const words = ['eu', 'us', 'Zürich', '東京', '🚀 launch', '', 'x'.repeat(43), 'é'.repeat(50), 'y'.repeat(300)];
  return Array.from({ length: n }, (_, i) => {
    const attributes: Record<string, string> = {};
    const count = rand(6);
    for (let a = 0; a < count; a++)
      attributes[`k${rand(8)}`] = rand(3) === 0 ? randomUUID() : words[rand(words.length)]!;
    const id = rand(10) === 0 ? `custom-${i}` : randomUUID();
    const ff = flowFile(id, attributes, randomBytes(rand(4) === 0 ? 0 : rand(900)), [
      1_700_000_000_000 + rand(100_000),
      1_700_000_000_000 - rand(1_000_000),
    ]);
    return rand(5) === 0 ? { ff, claim: `claim-${randomUUID()}` } : { ff };
  });
}

describe('queue message codec', () => {
  test('a batch round-trips ids, attributes, dates and raw content; claimed content stays out', () => {
    const a = newFlowFile(Buffer.from([0, 1, 2, 255]), { 'mime.type': 'application/octet-stream', city: 'Zürich' });
    const b = newFlowFile('');
    const big = newFlowFile(randomBytes(1000));
    const data = encodeBatch([{ ff: a }, { ff: b }, { ff: big, claim: 'claim-1' }]);
    expect(data.length).toBeLessThan(1000);
    const [da, db, dbig] = decodeBatch(data);
    expect(da).toMatchObject({ id: a.id, attributes: a.attributes, size: 4, entryDate: a.entryDate });
    expect(da!.content!.equals(a.content)).toBe(true);
    expect(db!.content!.length).toBe(0);
    expect(dbig).toMatchObject({ id: big.id, claim: 'claim-1', size: 1000, content: undefined });
  });

  test('round trips: empty attributes, unicode and long values, empty content, claims, odd ids and dates', () => {
    roundTrip([]);
    roundTrip([
      { ff: flowFile(randomUUID(), {}, Buffer.alloc(0)) },
      { ff: flowFile(randomUUID(), { '': '', ключ: 'значение', emoji: '🚀👩‍🚀', cjk: '東京都' }, Buffer.from('hé')) },
      { ff: flowFile('not-a-uuid', { long: 'ä'.repeat(10_000), ascii: 'z'.repeat(100_000) }, Buffer.from('x')) },
      { ff: flowFile(randomUUID().toUpperCase(), { a: '1' }, randomBytes(5000)), claim: 'content/abc' },
      { ff: flowFile(randomUUID(), { b: '2', a: '1' }, Buffer.alloc(0)), claim: '' },
      // Dates that are not integers, far apart, or before 1970 fall back to float64.
      { ff: flowFile(randomUUID(), { a: '1' }, Buffer.from('y'), [1.5, -86_400_000]) },
      { ff: flowFile(randomUUID(), { a: '1' }, Buffer.from('y'), [8.64e15, 0]) },
      { ff: flowFile(randomUUID(), { a: '1' }, Buffer.from('y'), [0.1, 1_700_000_000_000.3]) },
      { ff: flowFile(randomUUID(), { a: '1' }, Buffer.from('y'), [2 ** 60 + 2 ** 9, 1e300]) },
      { ff: flowFile('', { uuid: '' }, Buffer.from('z')) },
    ]);
    // Attribute order is kept, and each FlowFile has an object of its own.
    const [x, y] = roundTrip([
      { ff: flowFile(randomUUID(), { z: '1', a: '2', m: '3' }, Buffer.from('1')) },
      { ff: flowFile(randomUUID(), { z: '1', a: '2', m: '3' }, Buffer.from('2')) },
    ]);
    expect(Object.keys(x!.attributes)).toEqual(['z', 'a', 'm']);
    expect(x!.attributes).not.toBe(y!.attributes);
    x!.attributes.z = 'changed';
    expect(y!.attributes.z).toBe('1');
  });

  test('attribute names of any kind survive, read by the first message and by the compiled readers after', () => {
    const names = [
      '__proto__',
      'constructor',
      'toString',
      'a"b\\c\n',
      '\u2028',
      '10',
      '2',
      'ключ',
      '$' + '{x}',
      '`',
      "'); throw 1; //",
    ];
    const attributes: Record<string, string> = {};
    for (const [i, k] of names.entries())
      Object.defineProperty(attributes, k, { value: `v${i}`, enumerable: true, writable: true, configurable: true });
    const data = encodeBatch([{ ff: flowFile(randomUUID(), attributes, Buffer.from('x')) }]);
    for (let round = 0; round < 4; round++) {
      const [d] = decodeBatch(data);
      expect(Object.getPrototypeOf(d!.attributes)).toBe(Object.prototype);
      expect(Object.entries(d!.attributes)).toEqual(Object.entries(attributes));
      expect(Object.hasOwn(d!.attributes, '__proto__')).toBe(true);
    }
  });

  test('a size that differs from the inline content length is kept', () => {
    const ff = { ...flowFile(randomUUID(), { a: '1' }, Buffer.from('abc')), size: 10 };
    expect(decodeBatch(encodeBatch([{ ff }]))[0]).toMatchObject({ size: 10, content: Buffer.from('abc') });
  });

  test('random batches round-trip', () => {
    for (let seed = 1; seed <= 5; seed++) roundTrip(randomItems(300, seed));
  });

  test('inline content is decoded without a copy: a view of the message', () => {
    const data = encodeBatch([{ ff: newFlowFile('first') }, { ff: newFlowFile('second') }]);
    const [a, b] = decodeBatch(data);
    expect(a!.content!.buffer).toBe(data.buffer);
    expect(b!.content!.toString()).toBe('second');
    // A Uint8Array (as the NATS client delivers) is viewed too.
    const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    expect(decodeBatch(view)[1]!.content!.buffer).toBe(data.buffer);
  });

  test('ids, names and values are written once: about half the bytes of version 1', () => {
    const items = Array.from({ length: 1000 }, () => ({
      ff: newFlowFile(Buffer.alloc(100, 120), { a: '1', b: '2', region: 'eu' }),
    }));
    const v1 = encodeBatchV1(items).length;
    const v2 = encodeBatch(items).length;
    expect(v2).toBeLessThan(0.6 * v1);
    expect(v2 / 1000).toBeLessThan(140); // 100 B of content, a 16-byte id, refs and dates
  });

  test('version 1 messages (written by an older Sluice) still decode', () => {
    const items = randomItems(200, 42).filter((i) => Object.keys(i.ff.attributes).length > 0 || i.claim);
    const decoded = decodeBatch(encodeBatchV1(items));
    expect(decoded).toEqual(items.map(expected));
    const a = newFlowFile(Buffer.from('abc'), { city: 'Zürich' });
    expect(decodeBatch(encodeBatchV1([{ ff: a }, { ff: a, claim: 'c' }]))).toEqual([
      expected({ ff: a }),
      expected({ ff: a, claim: 'c' }),
    ]);
  });

  test('FlowFiles are split into messages under the byte and count bounds, in order', () => {
    const items = Array.from({ length: 250 }, () => ({ ff: newFlowFile(randomBytes(1000)) }));
    const messages = encodeMessages(items, 64 * 1024, 100);
    expect(messages.length).toBeGreaterThanOrEqual(4);
    for (const m of messages) {
      expect(m.data.length).toBeLessThanOrEqual(64 * 1024);
      expect(m.items.length).toBeLessThanOrEqual(100);
    }
    const ids = messages.flatMap((m) => decodeBatch(m.data).map((d) => d.id));
    expect(ids).toEqual(items.map((i) => i.ff.id));
  });

  test('random batches never exceed a small maxBytes, and each message is as full as it can be', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const items = randomItems(150, seed * 7919);
      const maxBytes = 1000 + seed * 150;
      const maxCount = 2 + 2 * seed;
      let messages: ReturnType<typeof encodeMessages>;
      try {
        messages = encodeMessages(items, maxBytes, maxCount);
      } catch (err) {
        // Only a FlowFile too large for any message may stop it: check that it really is.
        expect(err).toBeInstanceOf(MessageTooLargeError);
        const id = /FlowFile (\S+)/.exec((err as Error).message)![1];
        const item = items.find((i) => i.ff.id === id)!;
        expect(encodeBatch([item]).length).toBeGreaterThan(maxBytes);
        continue;
      }
      let at = 0;
      for (const m of messages) {
        expect(m.data.length).toBeLessThanOrEqual(maxBytes);
        expect(m.items.length).toBeLessThanOrEqual(maxCount);
        expect(m.items).toEqual(items.slice(at, at + m.items.length));
        expect(decodeBatch(m.data)).toEqual(m.items.map(expected));
        at += m.items.length;
        // Greedy: the next FlowFile would not have fit.
        if (at < items.length && m.items.length < maxCount)
          expect(encodeBatch([...m.items, items[at]!]).length).toBeGreaterThan(maxBytes);
      }
      expect(at).toBe(items.length);
    }
  });

  test('a single FlowFile too large for a message is refused, naming it', () => {
    const huge = newFlowFile('x', { note: 'y'.repeat(10_000) });
    expect(() => encodeMessages([{ ff: huge }], 4096, 100)).toThrow(MessageTooLargeError);
    expect(() => encodeMessages([{ ff: huge }], 4096, 100)).toThrow(huge.id);
    const small = newFlowFile('x');
    expect(() => encodeMessages([{ ff: small }, { ff: huge }], 4096, 100)).toThrow(huge.id);
  });

  test('anything else is rejected as not a queue message; a truncated message throws', () => {
    expect(() => decodeBatch(Buffer.from('hello world'))).toThrow(/not a Sluice queue message/);
    expect(() => decodeBatch(new Uint8Array(0))).toThrow(/not a Sluice queue message/);
    const data = encodeBatch(randomItems(50, 3));
    expect(() => decodeBatch(data.subarray(0, data.length - 1))).toThrow(/truncated/);
    const header = 6 + data.readUInt32BE(2);
    const cut = Buffer.from(data.subarray(0, header));
    cut.writeUInt32BE(header - 6 - 20, 2);
    expect(() => decodeBatch(cut)).toThrow();
    const future = Buffer.from(data);
    future[1] = 9;
    expect(() => decodeBatch(future)).toThrow(/version 9/);
  });
});
