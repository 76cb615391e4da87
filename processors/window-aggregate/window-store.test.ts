import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { processorRunner } from '../../sdk/testing';
import { type NatsServerHandle, startNats } from '../../test/helpers/nats-server';
import WindowAggregate from '.';

let nats: NatsServerHandle;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats?.stop();
});

const T0 = Date.UTC(2024, 0, 1);
const at = (seconds: number) => String(T0 + seconds * 1000);
const ids = { flowId: 'orders-flow', processorId: 'per-minute' };

describe('WindowAggregate with its state in a NATS key-value bucket (real nats-server)', () => {
  test('open windows survive a restart, and the result joins inputs from before and after it', async () => {
    const config = {
      size: '10s',
      natsUrl: nats.url,
      aggregations: { total: { op: 'sum', value: '$number(attributes.n)' } },
    };
    const first = processorRunner(WindowAggregate, config, ids);
    const before = [
      first.enqueue('', { 'event.time': at(1), n: '1' }),
      first.enqueue('', { 'event.time': at(2), n: '2' }),
    ];
    await first.trigger();
    expect(first.transferred('success')).toHaveLength(0);
    await first.stop();

    const second = processorRunner(WindowAggregate, config, ids);
    const after = second.enqueue('', { 'event.time': at(3), n: '3' });
    second.enqueue('', { 'event.time': at(15), n: '10' });
    await second.trigger();
    const [result] = second.transferred('success');
    expect(JSON.parse(result!.content.toString())).toMatchObject({ count: 3, total: 6 });
    const join = second.provenance().find((e) => e.type === 'JOIN' && e.flowFileId === result!.id);
    expect(join!.parentIds).toEqual([...before, after].map((f) => f.id));
    await second.stop();

    // The emitted window is gone from the bucket; the open one ([10 s, 20 s)) and the watermark are kept.
    const third = processorRunner(WindowAggregate, config, ids);
    third.enqueue('', { 'event.time': at(25), n: '100' });
    await third.trigger();
    expect(third.transferred('success').map((f) => JSON.parse(f.content.toString()))).toEqual([
      { key: '', start: '2024-01-01T00:00:10.000Z', end: '2024-01-01T00:00:20.000Z', count: 1, total: 10 },
    ]);
    third.enqueue('', { 'event.time': at(4), n: '1' });
    await third.trigger();
    expect(third.transferred('late')).toHaveLength(1);
    await third.stop();
  });

  test('a rolled-back session is undone in the bucket too', async () => {
    const config = { size: '10s', natsUrl: nats.url };
    const where = { flowId: 'f2', processorId: 'w' };
    let fail = true;
    const Failing: typeof WindowAggregate = {
      ...WindowAggregate,
      async onTrigger(session, ctx) {
        await WindowAggregate.onTrigger(session, ctx);
        if (fail) throw new Error('downstream trouble');
      },
    };
    const run = processorRunner(Failing, config, where);
    run.enqueue('', { 'event.time': at(1) });
    await expect(run.trigger()).rejects.toThrow('downstream trouble');
    fail = false;
    await run.stop();
    // The input came back to the queue (rollback); the bucket must not hold it as well.
    const again = processorRunner(WindowAggregate, config, where);
    again.enqueue('', { 'event.time': at(1) });
    again.enqueue('', { 'event.time': at(30) });
    await again.trigger();
    expect(again.transferred('success').map((f) => JSON.parse(f.content.toString()).count)).toEqual([1]);
    await again.stop();
  });

  test('a NATS server that is not there fails the start with its address', async () => {
    const run = processorRunner(WindowAggregate, { natsUrl: 'nats://127.0.0.1:1' });
    await expect(run.start()).rejects.toThrow(/^cannot connect to NATS at nats:\/\/127\.0\.0\.1:1: /);
  });
});
