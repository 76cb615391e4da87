import { describe, expect, test } from 'vitest';
import * as zmq from 'zeromq';
import { configIssues, processorRunner } from '../../sdk/testing';
import { freePort } from '../../test/helpers/ports';
import { waitFor } from '../../test/helpers/wait-for';
import ListenZeroMQ from '../listen-zeromq';
import PublishZeroMQ from '.';

const endpoint = async () => `tcp://127.0.0.1:${await freePort()}`;

describe('PublishZeroMQ, peer to peer on loopback', () => {
  test('PUSH (connect) delivers to a PULL peer, with SEND provenance', async () => {
    const at = await endpoint();
    const pull = new zmq.Pull({ linger: 0 });
    await pull.bind(at);
    const run = processorRunner(PublishZeroMQ, { endpoint: at });
    for (let i = 0; i < 10; i++) run.enqueue(`m${i}`);
    await run.trigger();
    expect(run.transferred('success')).toHaveLength(10);
    const got: string[] = [];
    for (let i = 0; i < 10; i++) got.push((await pull.receive())[0]!.toString());
    expect(got).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
    expect(run.provenance().filter((e) => e.type === 'SEND')[0]!.transitUri).toBe(at);
    pull.close();
    await run.stop();
  });

  test('PUB (bind) sends a topic frame per FlowFile; a SUB peer filters on it', async () => {
    const at = await endpoint();
    const run = processorRunner(PublishZeroMQ, {
      socketType: 'pub',
      mode: 'bind',
      endpoint: at,
      topicExpression: 'attributes.kind',
    });
    await run.start();
    const sub = new zmq.Subscriber({ linger: 0 });
    sub.connect(at);
    sub.subscribe('alert');
    const received: string[][] = [];
    const receiving = (async () => {
      for await (const frames of sub) received.push(frames.map((f) => f.toString()));
    })();
    await waitFor(async () => {
      run.enqueue('warmup', { kind: 'alert.warmup' });
      await run.trigger();
      return received.length > 0;
    }, 'the subscription to reach the publisher');
    run.enqueue('noise', { kind: 'debug' });
    run.enqueue('fire', { kind: 'alert.fire' });
    await run.trigger();
    await waitFor(() => received.some((m) => m[0] === 'alert.fire'), 'the alert');
    expect(received.filter((m) => m[0] !== 'alert.warmup')).toEqual([['alert.fire', 'fire']]);
    sub.close();
    await receiving.catch(() => {});
    await run.stop();
  });

  test('with no peer to take them, FlowFiles go back to the queue and the processor yields', async () => {
    const at = await endpoint();
    const run = processorRunner(PublishZeroMQ, { endpoint: at, sendTimeout: '200ms' });
    run.enqueue('a');
    run.enqueue('b');
    const result = await run.trigger();
    expect(result.yielded).toBe(true);
    expect(run.transferred('success')).toHaveLength(0);
    expect(run.input.depth().count).toBe(2);
    // A peer appears: the same FlowFiles go out.
    const pull = new zmq.Pull({ linger: 0 });
    await pull.bind(at);
    await run.trigger();
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual(['a', 'b']);
    expect((await pull.receive())[0]!.toString()).toBe('a');
    pull.close();
    await run.stop();
  });

  test('round trip: PublishZeroMQ (PUSH) to ListenZeroMQ (PULL), byte for byte', async () => {
    const at = await endpoint();
    const listen = processorRunner(ListenZeroMQ, { endpoint: at });
    await listen.start();
    const publish = processorRunner(PublishZeroMQ, { endpoint: at });
    const payloads = Array.from({ length: 30 }, (_, i) => Buffer.from([i, 0xff, 0x00, 0xfe]));
    for (const p of payloads) publish.enqueue(p);
    await publish.run();
    await waitFor(async () => {
      await listen.trigger();
      return listen.transferred('success').length === 30;
    }, '30 messages');
    expect(listen.transferred('success').map((f) => f.content)).toEqual(payloads);
    await publish.stop();
    await listen.stop();
  });
});

describe('PublishZeroMQ config', () => {
  test('rejects a bad endpoint, expression and timeout at their paths', () => {
    expect(
      configIssues(PublishZeroMQ, { endpoint: 'tcp://nope', topicExpression: '$$$(', sendTimeout: 'later' }).map(
        (i) => i.path,
      ),
    ).toEqual(['/endpoint', '/topicExpression', '/sendTimeout']);
  });
});
