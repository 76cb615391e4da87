import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { newFlowFile } from '../engine/flowfile';
import { decodeBatch, encodeBatch, encodeMessages, MessageTooLargeError } from './codec';

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

  test('a single FlowFile too large for a message is refused, naming it', () => {
    const huge = newFlowFile('x', { note: 'y'.repeat(10_000) });
    expect(() => encodeMessages([{ ff: huge }], 4096, 100)).toThrow(MessageTooLargeError);
    expect(() => encodeMessages([{ ff: huge }], 4096, 100)).toThrow(huge.id);
  });

  test('anything else is rejected as not a queue message', () => {
    expect(() => decodeBatch(Buffer.from('hello world'))).toThrow(/not a Sluice queue message/);
    expect(() => decodeBatch(new Uint8Array(0))).toThrow(/not a Sluice queue message/);
  });
});
