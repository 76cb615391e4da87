import { describe, expect, test } from 'vitest';
import * as zmq from 'zeromq';
import { configIssues, processorRunner } from '../../sdk/testing';
import { freePort } from '../../test/helpers/ports';
import { waitFor } from '../../test/helpers/wait-for';
import ListenZeroMQ from '.';

const endpoint = async () => `tcp://127.0.0.1:${await freePort()}`;

describe('ListenZeroMQ, peer to peer on loopback', () => {
  test('PULL (bind) receives what a PUSH peer sends, in order, with RECEIVE provenance', async () => {
    const at = await endpoint();
    const run = processorRunner(ListenZeroMQ, { endpoint: at });
    await run.start();
    const push = new zmq.Push({ linger: 0 });
    push.connect(at);
    for (let i = 0; i < 20; i++) await push.send(`job ${i}`);
    await waitFor(async () => {
      await run.trigger();
      return run.transferred('success').length === 20;
    }, '20 messages');
    const got = run.transferred('success');
    expect(got.map((f) => f.content.toString())).toEqual(Array.from({ length: 20 }, (_, i) => `job ${i}`));
    expect(got[0]!.attributes).toMatchObject({ 'zeromq.endpoint': at, 'zeromq.frames': '1' });
    expect(run.provenance().filter((e) => e.type === 'RECEIVE')).toHaveLength(20);
    push.close();
    await run.stop();
  });

  test('SUB (connect) filters by topic prefix and keeps the topic frame as an attribute', async () => {
    const at = await endpoint();
    const pub = new zmq.Publisher({ linger: 0 });
    await pub.bind(at);
    const run = processorRunner(ListenZeroMQ, { socketType: 'sub', mode: 'connect', endpoint: at, topics: ['temp.'] });
    await run.start();
    // PUB drops what it sends before the subscription reached it (ZeroMQ's slow joiner): send until it arrives.
    await waitFor(async () => {
      await pub.send(['temp.warmup', 'w']);
      return run.wakes > 0;
    }, 'the subscription to reach the publisher');
    await pub.send(['humidity.hall', '40']);
    await pub.send(['temp.kitchen', '21.5']);
    await waitFor(async () => {
      await run.trigger();
      return run.transferred('success').some((f) => f.attributes['zeromq.topic'] === 'temp.kitchen');
    }, 'the kitchen temperature');
    const real = run.transferred('success').filter((f) => f.attributes['zeromq.topic'] !== 'temp.warmup');
    expect(real.map((f) => [f.attributes['zeromq.topic'], f.content.toString()])).toEqual([['temp.kitchen', '21.5']]);
    pub.close();
    await run.stop();
  });

  test('holds at most bufferSize messages; the PUSH peer is held back until sessions take them', async () => {
    const at = await endpoint();
    const total = 400;
    const run = processorRunner(ListenZeroMQ, {
      endpoint: at,
      bufferSize: 10,
      receiveHighWaterMark: 10,
      batchSize: 50,
    });
    await run.start();
    const push = new zmq.Push({ linger: 0, sendHighWaterMark: 10 });
    push.connect(at);
    const big = Buffer.alloc(256 * 1024, 7);
    let sent = 0;
    const sending = (async () => {
      for (let i = 0; i < total; i++) {
        await push.send(big);
        sent++;
      }
    })();
    await waitFor(() => run.wakes >= 10, 'the buffer to fill');
    await new Promise((r) => setTimeout(r, 300));
    const state = (run as unknown as { state: { inbox: { size: number } } }).state;
    expect(state.inbox.size).toBe(10);
    // 400 x 256 KiB is far more than the socket queues and TCP buffers hold: the sender is blocked.
    expect(sent).toBeLessThan(total);
    await waitFor(
      async () => {
        await run.trigger();
        return run.transferred('success').length === total;
      },
      `all ${total}`,
      20_000,
    );
    await sending;
    expect(run.transferred('success').every((f) => f.size === big.length)).toBe(true);
    push.close();
    await run.stop();
  });

  test('a rolled-back session gives its messages back, in order', async () => {
    const at = await endpoint();
    let fail = true;
    const Failing: typeof ListenZeroMQ = {
      ...ListenZeroMQ,
      async onTrigger(session, ctx) {
        await ListenZeroMQ.onTrigger(session, ctx);
        if (fail) throw new Error('downstream trouble');
      },
    };
    const run = processorRunner(Failing, { endpoint: at });
    await run.start();
    const push = new zmq.Push({ linger: 0 });
    push.connect(at);
    await push.send('a');
    await push.send('b');
    await waitFor(() => run.wakes >= 2, 'two messages');
    await expect(run.trigger()).rejects.toThrow('downstream trouble');
    fail = false;
    await run.trigger();
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual(['a', 'b']);
    push.close();
    await run.stop();
  });

  test('an endpoint already bound fails the start by name', async () => {
    const at = await endpoint();
    const first = processorRunner(ListenZeroMQ, { endpoint: at });
    await first.start();
    const second = processorRunner(ListenZeroMQ, { endpoint: at });
    await expect(second.start()).rejects.toThrow(`cannot bind ${at}: `);
    await first.stop();
  });
});

describe('ListenZeroMQ config', () => {
  test('checks the endpoint and that topics go with SUB', () => {
    expect(configIssues(ListenZeroMQ, { endpoint: 'localhost:5555' })).toEqual([
      { path: '/endpoint', message: 'expected tcp://host:port, ipc:///path or inproc://name' },
    ]);
    expect(configIssues(ListenZeroMQ, { topics: ['a'] })).toEqual([
      { path: '/topics', message: 'topics apply to a SUB socket only' },
    ]);
    expect(configIssues(ListenZeroMQ, { socketType: 'sub', topics: ['a'], endpoint: 'ipc:///tmp/x' })).toEqual([]);
  });
});
