import amqp, { type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { configIssues, processorRunner } from '../../sdk/testing';
import { type RabbitHandle, startRabbit } from '../../test/helpers/rabbitmq';
import { waitFor } from '../../test/helpers/wait-for';
import ConsumeAMQP from '../consume-amqp';
import PublishAMQP from '.';

let rabbit: RabbitHandle;
let model: ChannelModel;
let ch: Channel;

beforeAll(async () => {
  rabbit = await startRabbit();
  model = await amqp.connect(rabbit.url);
  ch = await model.createChannel();
});

afterAll(async () => {
  // A client that hangs must never keep the broker alive: it is stopped whatever the close does.
  await Promise.race([model?.close().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
  await rabbit?.stop();
});

async function drain(queue: string, count: number): Promise<GetMessage[]> {
  const got: GetMessage[] = [];
  await waitFor(async () => {
    const m = await ch.get(queue, { noAck: true });
    if (m) got.push(m);
    return got.length >= count;
  }, `${count} messages in ${queue}`);
  return got;
}

describe('PublishAMQP against a real RabbitMQ', () => {
  test('publishes with confirms: content, headers from attributes, properties, SEND provenance', async () => {
    await ch.assertQueue('out', { durable: true });
    const run = processorRunner(PublishAMQP, { url: rabbit.url, routingKey: 'out', headerAttributes: '^tenant$' });
    const ff = run.enqueue('{"n":1}', {
      'mime.type': 'application/json',
      'amqp.header.trace': 't-1',
      tenant: 'acme',
      secret: 'not sent',
      'amqp.correlation.id': 'c-1',
    });
    run.enqueue('second');
    await run.trigger();
    expect(run.transferred('success')).toHaveLength(2);
    const [m1, m2] = await drain('out', 2);
    expect(m1!.content.toString()).toBe('{"n":1}');
    expect(m1!.properties).toMatchObject({
      contentType: 'application/json',
      messageId: ff.id,
      correlationId: 'c-1',
      deliveryMode: 2,
      headers: { trace: 't-1', tenant: 'acme' },
    });
    expect(m1!.properties.headers).not.toHaveProperty('secret');
    expect(m2!.content.toString()).toBe('second');
    const sends = run.provenance().filter((e) => e.type === 'SEND');
    expect(sends.map((e) => e.transitUri)).toEqual([
      `amqp://127.0.0.1:${rabbit.port}//(default)/out`,
      `amqp://127.0.0.1:${rabbit.port}//(default)/out`,
    ]);
    await run.stop();
  });

  test('a routing key expression picks the queue per FlowFile', async () => {
    await ch.assertQueue('eu');
    await ch.assertQueue('us');
    const run = processorRunner(PublishAMQP, { url: rabbit.url, routingKeyExpression: 'attributes.region' });
    run.enqueue('a', { region: 'eu' });
    run.enqueue('b', { region: 'us' });
    run.enqueue('c', { region: 'eu' });
    await run.trigger();
    expect(run.transferred('success')).toHaveLength(3);
    expect((await drain('eu', 2)).map((m) => m.content.toString())).toEqual(['a', 'c']);
    expect((await drain('us', 1)).map((m) => m.content.toString())).toEqual(['b']);
    await run.stop();
  });

  test('a broker nack (queue full, reject-publish) routes to failure with the reason', async () => {
    await ch.assertQueue('tiny', { maxLength: 1, overflow: 'reject-publish' });
    const run = processorRunner(PublishAMQP, { url: rabbit.url, routingKey: 'tiny' });
    run.enqueue('fits');
    run.enqueue('rejected 1');
    run.enqueue('rejected 2');
    await run.trigger();
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual(['fits']);
    const failed = run.transferred('failure');
    expect(failed.map((f) => f.content.toString())).toEqual(['rejected 1', 'rejected 2']);
    expect(failed[0]!.attributes['amqp.error']).toBe('negatively acknowledged (nack) by the broker');
    expect((await ch.checkQueue('tiny')).messageCount).toBe(1);
    await run.stop();
  });

  test('a message no queue takes is returned (mandatory) and goes to failure instead of vanishing', async () => {
    await ch.assertExchange('nowhere', 'direct', { durable: false });
    const run = processorRunner(PublishAMQP, { url: rabbit.url, exchange: 'nowhere', routingKey: 'nobody' });
    run.enqueue('lost?');
    await run.trigger();
    expect(run.transferred('success')).toHaveLength(0);
    expect(run.transferred('failure')[0]!.attributes['amqp.error']).toBe(
      'unroutable: returned by the broker (312 NO_ROUTE)',
    );
    await run.stop();
  });

  test('an exchange that does not exist fails the start by name', async () => {
    const run = processorRunner(PublishAMQP, { url: rabbit.url, exchange: 'missing' });
    await expect(run.start()).rejects.toThrow(/^exchange "missing" on amqp:\/\/127\.0\.0\.1:\d+\/: .*NOT_FOUND/);
  });

  test('round trip: PublishAMQP then ConsumeAMQP keeps content and header attributes', async () => {
    const publish = processorRunner(PublishAMQP, { url: rabbit.url, routingKey: 'trip' });
    const consume = processorRunner(ConsumeAMQP, { url: rabbit.url, queue: 'trip' });
    await consume.start();
    for (let i = 0; i < 50; i++) publish.enqueue(`payload ${i}`, { 'amqp.header.seq': String(i) });
    await publish.run();
    expect(publish.transferred('success')).toHaveLength(50);
    await waitFor(async () => {
      await consume.trigger();
      return consume.transferred('success').length === 50;
    }, '50 consumed');
    const got = consume.transferred('success');
    expect(got.map((f) => f.content.toString())).toEqual(Array.from({ length: 50 }, (_, i) => `payload ${i}`));
    expect(got.map((f) => f.attributes['amqp.header.seq'])).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    await publish.stop();
    await consume.stop();
  });
});

describe('PublishAMQP config', () => {
  test('rejects a broken routing key expression, header regex and duration at their paths', () => {
    const issues = configIssues(PublishAMQP, {
      routingKeyExpression: 'attributes.(',
      headerAttributes: '(',
      confirmTimeout: 'soon',
    });
    expect(issues.map((i) => i.path)).toEqual(['/headerAttributes', '/routingKeyExpression', '/confirmTimeout']);
  });
});
