import type { ConsumerInfo } from 'nats';
import { describe, expect, test } from 'vitest';
import { QueueAccounting } from './queue-accounting';

function info(p: { pending: number; ackPending: number; floor?: number; delivered?: number }): ConsumerInfo {
  return {
    num_pending: p.pending,
    num_ack_pending: p.ackPending,
    num_redelivered: 0,
    ack_floor: { stream_seq: p.floor ?? 0, consumer_seq: 0 },
    delivered: { stream_seq: p.delivered ?? 0, consumer_seq: 0 },
  } as unknown as ConsumerInfo;
}

describe('depth accounting in FlowFiles over JetStream messages', () => {
  test('own messages count exactly, also when partly done', () => {
    const a = new QueueAccounting();
    a.published(1, 100, 1000, 5);
    a.published(2, 50, 500, 7);
    expect(a.depthCount()).toBe(150);
    a.delivered(1, 100, 1000, 5);
    a.progress(1, 40, 400);
    expect([a.depthCount(), a.depthBytes()]).toEqual([110, 1100]);
    a.removed(1);
    expect([a.depthCount(), a.oldestEntryDate()]).toEqual([50, 7]);
  });

  test("other processes' messages count at the average FlowFiles per message", () => {
    const a = new QueueAccounting();
    a.published(1, 100, 1000, 5);
    a.beginInfo();
    a.applyInfo(info({ pending: 4, ackPending: 0 }));
    expect(a.messages).toBe(4);
    expect(a.depthCount()).toBe(400);
    // one of the unknown ones arrives here: it is known from then on, not counted twice
    a.delivered(7, 100, 1000, 9);
    expect(a.depthCount()).toBe(400);
  });

  test('acknowledgements during a consumer info request never inflate the depth', () => {
    const a = new QueueAccounting();
    a.published(1, 10, 10, 1);
    a.published(2, 10, 10, 1);
    a.beginInfo();
    a.delivered(1, 10, 10, 1);
    a.removed(1);
    a.applyInfo(info({ pending: 1, ackPending: 1 })); // the server had not seen the ack yet
    expect(a.depthCount()).toBe(10);
  });

  test('messages below the ack floor are gone; older ones above it are probed', () => {
    const a = new QueueAccounting();
    a.published(1, 10, 10, 1, 0);
    a.published(2, 10, 10, 1, 0);
    a.published(3, 10, 10, 1, 0);
    a.beginInfo();
    const probe = a.applyInfo(info({ pending: 0, ackPending: 1, floor: 1, delivered: 3 }), 10_000);
    expect(a.depthCount()).toBe(20);
    expect(probe).toEqual([2, 3]);
  });
});
