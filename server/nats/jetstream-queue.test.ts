/**
 * What only the JetStream queue does, against a real nats-server: competing engine processes (each a back end
 * with its own connection), redelivery after a process vanished, handing messages back, the stream's hard
 * ceiling, message-id dedupe, claims, draining and browsing the stream.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type NatsServerHandle, startNats } from '../../test/helpers/nats-server';
import { type FlowFile, newFlowFile, withAttributes } from '../engine/flowfile';
import { takeN } from '../storage/queue-contract';
import { connectionSpec, openBackend } from './jetstream-test-kit';
import { connectionConsumer, contentBucket, flowStream } from './names';
import type { NatsBackend } from './nats-backend';

let nats: NatsServerHandle;
const backends: NatsBackend[] = [];
let flowN = 0;

async function backend(options: Parameters<typeof openBackend>[1] = {}): Promise<NatsBackend> {
  const b = await openBackend(nats.url, options);
  backends.push(b);
  return b;
}

const ffs = (n: number) => Array.from({ length: n }, (_, i) => newFlowFile(`content ${i}`, { index: String(i) }));
const ids = (list: readonly FlowFile[]) => list.map((f) => f.id);

beforeAll(async () => {
  nats = await startNats();
});

afterAll(async () => {
  for (const b of backends) await b.close().catch(() => {});
  await nats?.stop();
});

describe('JetStreamQueue', () => {
  test('the stream and consumer are set up as designed: work queue, discard new, explicit acks, no delivery limit', async () => {
    const b = await backend({ ackWaitMs: 7000 });
    const flow = `design${++flowN}`;
    const q = b.createQueue(flow, connectionSpec('c1'));
    await q.ready();
    const si = await b.link.jsm.streams.info(flowStream(flow));
    expect(si.config).toMatchObject({ retention: 'workqueue', storage: 'file', discard: 'new', allow_direct: true });
    expect(si.config.discard_new_per_subject).toBe(true);
    expect(si.config.max_msgs_per_subject).toBeGreaterThanOrEqual(100_000);
    const ci = await b.link.jsm.consumers.info(flowStream(flow), connectionConsumer('c1'));
    expect(ci.config).toMatchObject({ ack_policy: 'explicit', ack_wait: 7000 * 1e6, max_deliver: -1 });
    expect(ci.config.max_ack_pending).toBeGreaterThanOrEqual(20_000);
  });

  test('two processes share a connection: each FlowFile goes to one of them, arrivals wake the other', async () => {
    const flow = `share${++flowN}`;
    const [a, b] = [await backend(), await backend()];
    const qa = a.createQueue(flow, connectionSpec('c1'));
    const qb = b.createQueue(flow, connectionSpec('c1'));
    await Promise.all([qa.ready(), qb.ready()]);
    let woken = 0;
    qb.onAvailable(() => woken++);
    const input = ffs(400);
    for (let i = 0; i < 400; i += 20) await qa.offer(input.slice(i, i + 20));
    const got: FlowFile[] = [];
    const deadline = Date.now() + 15_000;
    while (got.length < 400 && Date.now() < deadline) {
      for (const q of [qa, qb]) {
        if (!q.hasAvailable(Date.now())) continue;
        const batch = q.take(20, Date.now());
        got.push(...batch);
        q.acknowledge(batch);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(got).toHaveLength(400);
    expect(new Set(ids(got)).size).toBe(400);
    expect(woken).toBeGreaterThan(0);
    await qb.refresh();
    expect(qb.depth().count).toBe(0);
  });

  test('another process sees the depth in FlowFiles, before it fetched anything', async () => {
    const flow = `depth${++flowN}`;
    const [a, b] = [await backend(), await backend()];
    const qa = a.createQueue(flow, connectionSpec('c1'));
    await qa.ready();
    for (let i = 0; i < 3; i++) await qa.offer(ffs(100));
    const qb = b.createQueue(flow, connectionSpec('c1'));
    await qb.ready();
    expect(qb.depth()).toMatchObject({ count: 300, messages: 3 });
  });

  test('messages held by a process that vanished are redelivered after ack_wait, counted as redelivered', async () => {
    const flow = `crash${++flowN}`;
    const a = await backend({ ackWaitMs: 1000 });
    const qa = a.createQueue(flow, connectionSpec('c1'));
    await qa.ready();
    const input = ffs(10);
    await qa.offer(input);
    await takeN(qa, 10);
    await a.link.nc.close(); // no acks, no hand-back: as a kill -9 would leave it
    const b = await backend({ ackWaitMs: 1000 });
    const qb = b.createQueue(flow, connectionSpec('c1'));
    await qb.ready();
    const again = await takeN(qb, 10);
    expect(ids(again)).toEqual(ids(input));
    expect(qb.depth().redelivered).toBe(10);
    qb.acknowledge(again);
  });

  test('a message redelivered to the process still holding it (stalled past ack_wait) is not processed twice', async () => {
    const flow = `stall${++flowN}`;
    const b = await backend({ ackWaitMs: 1000 });
    const q = b.createQueue(flow, connectionSpec('c1'));
    await q.ready();
    await q.offer(ffs(5));
    const taken = await takeN(q, 5);
    const stallUntil = Date.now() + 1500;
    while (Date.now() < stallUntil) {} // the event loop stalls: no in-progress ack goes out, JetStream redelivers
    let again = 0;
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      if (q.hasAvailable(Date.now())) again += q.take(100, Date.now()).length;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(again).toBe(0);
    q.acknowledge(taken);
    const info = () => b.link.jsm.consumers.info(flowStream(flow), connectionConsumer('c1'));
    const deadline = Date.now() + 5000;
    while ((await info()).num_ack_pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await info()).toMatchObject({ num_ack_pending: 0, num_pending: 0 });
  });

  test('closing hands held messages back at once; a partly done one only with its remaining FlowFiles', async () => {
    const flow = `handback${++flowN}`;
    const a = await backend({ ackWaitMs: 60_000 });
    const qa = a.createQueue(flow, connectionSpec('c1'));
    await qa.ready();
    const whole = ffs(3);
    const partial = ffs(4);
    await qa.offer(whole);
    await qa.offer(partial);
    const taken = await takeN(qa, 5); // whole (3) and two of partial
    qa.acknowledge(taken.slice(3));
    qa.requeue(taken.slice(0, 3), 0, Date.now());
    await takeN(qa, 0);
    await a.close();
    const b = await backend({ ackWaitMs: 60_000 });
    const qb = b.createQueue(flow, connectionSpec('c1'));
    await qb.ready();
    const again = await takeN(qb, 5);
    expect(new Set(ids(again))).toEqual(new Set([...ids(whole), ...ids(partial.slice(2))]));
    qb.acknowledge(again);
    await qb.refresh();
    expect(qb.depth().count).toBe(0);
  });

  test('a full connection rejects the offer with a clear error, keeping what it holds', async () => {
    const flow = `full${++flowN}`;
    const b = await backend({ maxMessagesPerSubject: 2 });
    const q = b.createQueue(flow, connectionSpec('c1'));
    await q.ready();
    await q.offer(ffs(5));
    await q.offer(ffs(5));
    await expect(q.offer(ffs(1))).rejects.toThrow(
      /NATS refused 1 FlowFile\(s\) on sluice\.flow\..*maximum messages per subject/,
    );
    expect(q.depth().count).toBe(10);
    const all = await takeN(q, 10);
    q.acknowledge(all);
  });

  test('a session replayed after a crash publishes the same message id: stored once', async () => {
    const flow = `dedupe${++flowN}`;
    const b = await backend();
    const c1 = b.createQueue(flow, connectionSpec('c1'));
    const c2 = b.createQueue(flow, connectionSpec('c2'));
    await Promise.all([c1.ready(), c2.ready()]);
    await c1.offer(ffs(3));
    const taken = await takeN(c1, 3);
    const outputs = taken.map((ff) => withAttributes(ff, { seen: 'yes' }));
    await c2.offer(outputs);
    await c2.offer(outputs); // the replay: same FlowFiles from the same input message
    await c2.refresh();
    expect(c2.depth()).toMatchObject({ count: 3, messages: 1 });
    const out = await takeN(c2, 3);
    expect(out.map((f) => f.attributes.seen)).toEqual(['yes', 'yes', 'yes']);
    c2.acknowledge(out);
    c1.acknowledge(taken);
  });

  test('large content goes through the object store and its claim is deleted once acknowledged', async () => {
    const flow = `claims${++flowN}`;
    const b = await backend();
    const q = b.createQueue(flow, connectionSpec('c1'));
    await q.ready();
    const big = newFlowFile(randomBytes(600 * 1024));
    await q.offer([big]);
    const os = await b.link.js.views.os(contentBucket(flow));
    expect((await os.list()).map((o) => o.name)).toEqual([expect.stringContaining(big.id)]);
    const [got] = await takeN(q, 1);
    expect(got!.content.equals(big.content)).toBe(true);
    // Not os.list() while the claim is deleted: on nats-server 2.9 a listing can hang when entries roll up under
    // it. The object's chunks are gone once no chunk subject is left in the bucket's stream.
    const bucket = contentBucket(flow);
    const chunks = async () =>
      Object.keys(
        (await b.link.jsm.streams.info(`OBJ_${bucket}`, { subjects_filter: `$O.${bucket}.C.>` })).state.subjects ?? {},
      ).length;
    expect(await chunks()).toBeGreaterThan(0);
    q.acknowledge([got!]);
    const deadline = Date.now() + 5000;
    while ((await chunks()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await chunks()).toBe(0);
  });

  test('browse and lookup read the stream without consuming; drain empties it, also what nobody fetched', async () => {
    const flow = `drain${++flowN}`;
    const b = await backend();
    const q = b.createQueue(flow, connectionSpec('c1'));
    await q.ready();
    const input = ffs(30);
    for (let i = 0; i < 30; i += 10) await q.offer(input.slice(i, i + 10));
    const listed = await q.browse(25, Date.now());
    expect(listed.map((e) => e.id)).toEqual(ids(input.slice(0, 25)));
    expect((await q.lookup(input[17]!.id))?.content.toString()).toBe('content 17');
    // The synchronous view shows them too, from a background read of the stream (nothing was fetched here).
    const other = (await backend()).createQueue(flow, connectionSpec('c1'));
    await other.ready();
    const deadline = Date.now() + 5000;
    while (other.list(50, Date.now()).length < 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(other.list(50, Date.now()).map((e) => e.id)).toEqual(ids(input));
    expect(other.find(input[3]!.id)?.content.toString()).toBe('content 3');
    const drained = await q.drain();
    expect(new Set(ids(drained))).toEqual(new Set(ids(input)));
    await q.refresh();
    expect(q.depth().count).toBe(0);
    expect(await q.browse(10, Date.now())).toEqual([]);
  });
});
