/**
 * The behaviour every FlowFileQueue back end shares, as one test suite: `memory-queue.contract.test.ts` and
 * `jetstream-queue.contract.test.ts` run these same tests against the in-process and the NATS queue.
 * FlowFiles offered to a broker-backed queue become available asynchronously, so tests wait for them
 * (`takeN`) instead of assuming the next call sees them.
 */
import { randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import { type FlowFile, newFlowFile } from '../engine/flowfile';
import type { FlowFileQueue } from '../engine/queue';

export interface QueueUnderTest {
  /** A fresh, empty queue. */
  make(): Promise<FlowFileQueue>;
}

const WAIT_MS = 10_000;

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Takes exactly `n` FlowFiles, waiting for them to arrive. */
export async function takeN(q: FlowFileQueue, n: number): Promise<FlowFile[]> {
  const out: FlowFile[] = [];
  await until(() => {
    if (q.hasAvailable(Date.now())) {
      const got = q.take(n - out.length, Date.now());
      if (Array.isArray(got)) out.push(...got);
    }
    return out.length >= n;
  }, `${n} FlowFiles (got ${out.length})`);
  return out;
}

/** Waits until `n` FlowFiles are available without taking them. */
export async function availableN(q: FlowFileQueue, n: number): Promise<void> {
  await until(() => q.hasAvailable(Date.now()) && q.list(n + 1, Date.now()).length >= n, `${n} available`);
}

function ffs(n: number, size = 10): FlowFile[] {
  return Array.from({ length: n }, (_, i) => newFlowFile(randomBytes(size), { index: String(i), 'mime.type': 'x/y' }));
}

const ids = (list: readonly FlowFile[]) => list.map((f) => f.id);

export function queueContract(qut: () => QueueUnderTest): void {
  test('offered FlowFiles come out in order, intact, and count until acknowledged', async () => {
    const q = await qut().make();
    const input = [newFlowFile('one', { a: '1' }), newFlowFile(Buffer.from([0, 255, 7]), { b: 'ü' }), newFlowFile()];
    await q.offer(input);
    expect(q.depth()).toMatchObject({ count: 3, bytes: 6, inFlight: 0 });
    const out = await takeN(q, 3);
    expect(ids(out)).toEqual(ids(input));
    out.forEach((ff, i) => {
      expect(ff.attributes).toEqual(input[i]!.attributes);
      expect(Buffer.compare(ff.content, input[i]!.content)).toBe(0);
      expect(ff.entryDate).toBe(input[i]!.entryDate);
    });
    expect(q.depth()).toMatchObject({ count: 3, inFlight: 3 });
    await q.acknowledge(out);
    expect(q.depth()).toMatchObject({ count: 0, bytes: 0, inFlight: 0 });
    expect(q.hasAvailable(Date.now())).toBe(false);
  });

  test('a batch larger than one message (5,000 FlowFiles, 2.5 MB) arrives complete and in order', async () => {
    const q = await qut().make();
    const input = ffs(5000, 500);
    await q.offer(input);
    expect(q.depth().count).toBe(5000);
    const out = await takeN(q, 5000);
    expect(ids(out)).toEqual(ids(input));
    await q.acknowledge(out);
    expect(q.depth().count).toBe(0);
  });

  test('large content (3 MB) round-trips byte-identical', async () => {
    const q = await qut().make();
    const big = newFlowFile(randomBytes(3 * 1024 * 1024), { filename: 'big.bin' });
    const small = newFlowFile('small');
    await q.offer([big, small]);
    expect(q.depth().bytes).toBe(big.size + small.size);
    const [a, b] = await takeN(q, 2);
    expect(a!.id).toBe(big.id);
    expect(a!.size).toBe(big.size);
    expect(a!.content.equals(big.content)).toBe(true);
    expect(b!.content.toString()).toBe('small');
    await q.acknowledge([a!, b!]);
    expect(q.depth().count).toBe(0);
  });

  test('acknowledging part of a batch keeps the rest queued', async () => {
    const q = await qut().make();
    const input = ffs(4);
    await q.offer(input);
    const first = await takeN(q, 2);
    await q.acknowledge(first);
    expect(q.depth()).toMatchObject({ count: 2, inFlight: 0 });
    const rest = await takeN(q, 2);
    expect(ids(rest)).toEqual(ids(input.slice(2)));
    await q.acknowledge(rest);
    expect(q.depth().count).toBe(0);
  });

  test('requeued without a penalty, FlowFiles are taken again first', async () => {
    const q = await qut().make();
    const input = ffs(3);
    await q.offer(input);
    const taken = await takeN(q, 2);
    await q.requeue(taken, 0, Date.now());
    expect(q.depth()).toMatchObject({ count: 3, inFlight: 0 });
    const again = await takeN(q, 3);
    expect(ids(again)).toEqual(ids(input));
    await q.acknowledge(again);
    expect(q.depth().count).toBe(0);
  });

  test('requeued with a penalty, FlowFiles wait, counted as penalized, then come back', async () => {
    const q = await qut().make();
    const input = ffs(3);
    await q.offer(input);
    const taken = await takeN(q, 3);
    const now = Date.now();
    await q.requeue(taken, 400, now);
    expect(q.hasAvailable(now)).toBe(false);
    expect(q.depth()).toMatchObject({ count: 3, inFlight: 0, penalized: 3 });
    expect(q.nextRelease()).toBe(now + 400);
    const again = await takeN(q, 3);
    expect(new Set(ids(again))).toEqual(new Set(ids(input)));
    await q.acknowledge(again);
    expect(q.depth()).toMatchObject({ count: 0, penalized: 0 });
  });

  test('a failed part of a batch is penalized while the rest is acknowledged', async () => {
    const q = await qut().make();
    const input = ffs(4);
    await q.offer(input);
    const taken = await takeN(q, 4);
    await q.acknowledge(taken.slice(0, 2));
    await q.requeue(taken.slice(2), 300, Date.now());
    expect(q.depth()).toMatchObject({ count: 2, penalized: 2 });
    const again = await takeN(q, 2);
    expect(ids(again)).toEqual(ids(input.slice(2)));
    await q.acknowledge(again);
    expect(q.depth().count).toBe(0);
  });

  test('expire removes waiting FlowFiles older than the age, never one in flight', async () => {
    const q = await qut().make();
    const old = ffs(3).map((ff) => ({ ...ff, entryDate: Date.now() - 60_000 }));
    const fresh = ffs(1);
    await q.offer([...old, ...fresh]);
    const [inFlight] = await takeN(q, 1);
    await availableN(q, 3);
    const expired = q.expire(30_000, Date.now());
    expect(new Set(ids(expired))).toEqual(new Set(ids(old.slice(1))));
    expect(q.depth()).toMatchObject({ count: 2, inFlight: 1 });
    await q.acknowledge([inFlight!]);
    const last = await takeN(q, 1);
    expect(ids(last)).toEqual(ids(fresh));
    await q.acknowledge(last);
    expect(q.depth().count).toBe(0);
  });

  test('list shows waiting FlowFiles in take order; find returns one by id', async () => {
    const q = await qut().make();
    const input = ffs(5);
    await q.offer(input);
    await availableN(q, 5);
    const listed = q.list(3, Date.now());
    expect(listed.map((e) => e.id)).toEqual(ids(input.slice(0, 3)));
    expect(listed.map((e) => e.position)).toEqual([0, 1, 2]);
    expect(listed[1]).toMatchObject({ size: 10, penalized: false, attributes: input[1]!.attributes });
    expect(q.find(input[4]!.id)?.content.equals(input[4]!.content)).toBe(true);
    expect(q.find('no-such-id')).toBeUndefined();
    await q.acknowledge(await takeN(q, 5));
  });

  test('clear removes the waiting FlowFiles and leaves the ones in flight', async () => {
    const q = await qut().make();
    const input = ffs(4);
    await q.offer(input);
    const [taken] = await takeN(q, 1);
    await availableN(q, 3);
    const cleared = q.clear();
    expect(ids(cleared)).toEqual(ids(input.slice(1)));
    expect(q.depth()).toMatchObject({ count: 1, inFlight: 1 });
    await q.acknowledge([taken!]);
    expect(q.depth().count).toBe(0);
    expect(q.hasAvailable(Date.now())).toBe(false);
  });
}
