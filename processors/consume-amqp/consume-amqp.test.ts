import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { configIssues, FlowEngine, ProcessorRegistry, processorRunner, validateFlow } from '../../sdk/testing';
import { type RabbitHandle, startRabbit } from '../../test/helpers/rabbitmq';
import { waitFor } from '../../test/helpers/wait-for';
import LogAttribute from '../log-attribute';
import ConsumeAMQP from '.';

let rabbit: RabbitHandle;
let model: ChannelModel;
let ch: Channel;

beforeAll(async () => {
  rabbit = await startRabbit();
  model = await amqp.connect(rabbit.url);
  ch = await model.createConfirmChannel();
});

afterAll(async () => {
  // A client that hangs must never keep the broker alive: it is stopped whatever the close does.
  await Promise.race([model?.close().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
  await rabbit?.stop();
});

async function publish(queue: string, count: number, options: amqp.Options.Publish = {}): Promise<void> {
  await ch.assertQueue(queue, { durable: true });
  for (let i = 0; i < count; i++) ch.sendToQueue(queue, Buffer.from(`message ${i}`), options);
  await (ch as amqp.ConfirmChannel).waitForConfirms();
}

const ready = async (queue: string) => (await ch.checkQueue(queue)).messageCount;

/** On a channel of its own: RabbitMQ closes the channel that asks about a missing queue. */
async function queueExists(queue: string): Promise<boolean> {
  const probe = await model.createChannel();
  probe.on('error', () => {});
  try {
    await probe.checkQueue(queue);
    await probe.close();
    return true;
  } catch {
    return false;
  }
}

describe('ConsumeAMQP against a real RabbitMQ', () => {
  test('turns messages into FlowFiles with headers and properties as attributes, RECEIVE provenance', async () => {
    await publish('orders', 3, {
      headers: { region: 'eu', attempt: 2 },
      contentType: 'text/plain',
      messageId: 'm-1',
      correlationId: 'c-9',
    });
    const run = processorRunner(ConsumeAMQP, { url: rabbit.url, queue: 'orders' });
    await waitFor(async () => {
      await run.trigger();
      return run.transferred('success').length === 3;
    }, '3 FlowFiles');
    const [first] = run.transferred('success');
    expect(first!.content.toString()).toBe('message 0');
    expect(first!.attributes).toMatchObject({
      'amqp.queue': 'orders',
      'amqp.routing.key': 'orders',
      'amqp.redelivered': 'false',
      'amqp.header.region': 'eu',
      'amqp.header.attempt': '2',
      'mime.type': 'text/plain',
      'amqp.message.id': 'm-1',
      'amqp.correlation.id': 'c-9',
    });
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual([
      'message 0',
      'message 1',
      'message 2',
    ]);
    const receives = run.provenance().filter((e) => e.type === 'RECEIVE');
    expect(receives).toHaveLength(3);
    expect(receives[0]!.transitUri).toBe(`amqp://127.0.0.1:${rabbit.port}//orders`);
    await run.stop();
    expect(await ready('orders')).toBe(0);
  });

  test('acknowledges only after the session commits: received but uncommitted messages go back to the queue', async () => {
    await publish('pending', 4);
    const run = processorRunner(ConsumeAMQP, { url: rabbit.url, queue: 'pending' });
    await run.start();
    // Delivered to Sluice's inbox, not yet in a session: the broker shows them unacknowledged, not ready.
    await waitFor(async () => (await ready('pending')) === 0, 'deliveries');
    await run.stop();
    await waitFor(async () => (await ready('pending')) === 4, 'the 4 messages back in the queue');
    expect(run.transferred('success')).toHaveLength(0);
  });

  test('a rolled-back session requeues its messages; they come again, marked redelivered', async () => {
    await publish('retry', 2);
    let fail = true;
    const Failing: typeof ConsumeAMQP = {
      ...ConsumeAMQP,
      async onTrigger(session, ctx) {
        await ConsumeAMQP.onTrigger(session, ctx);
        if (fail) throw new Error('downstream trouble');
      },
    };
    const run = processorRunner(Failing, { url: rabbit.url, queue: 'retry' });
    await run.start();
    await waitFor(async () => (await ready('retry')) === 0, 'deliveries');
    await expect(run.trigger()).rejects.toThrow('downstream trouble');
    fail = false;
    await waitFor(async () => {
      await run.trigger();
      return run.transferred('success').length === 2;
    }, 'redelivery');
    expect(run.transferred('success').map((f) => f.attributes['amqp.redelivered'])).toEqual(['true', 'true']);
    await run.stop();
    expect(await ready('retry')).toBe(0);
  });

  test('binds the queue to an exchange with a routing key', async () => {
    await ch.assertExchange('events', 'topic', { durable: false });
    const run = processorRunner(ConsumeAMQP, {
      url: rabbit.url,
      queue: 'eu-orders',
      exchange: 'events',
      routingKey: 'orders.eu.*',
    });
    await run.start();
    ch.publish('events', 'orders.eu.created', Buffer.from('yes'));
    ch.publish('events', 'orders.us.created', Buffer.from('no'));
    await (ch as amqp.ConfirmChannel).waitForConfirms();
    await waitFor(async () => {
      await run.trigger();
      return run.transferred('success').length >= 1;
    }, 'the routed message');
    await run.trigger();
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual(['yes']);
    expect(run.transferred('success')[0]!.attributes['amqp.exchange']).toBe('events');
    await run.stop();
  });

  test('a consumer the broker cancels (queue deleted) reconnects, declares the queue again and goes on', async () => {
    await publish('fragile', 1);
    const run = processorRunner(ConsumeAMQP, { url: rabbit.url, queue: 'fragile' });
    await waitFor(async () => {
      await run.trigger();
      return run.transferred('success').length === 1;
    }, 'the first message');
    await ch.deleteQueue('fragile');
    await waitFor(async () => {
      await run.trigger().catch(() => {});
      return queueExists('fragile');
    }, 'the queue declared again by the reconnected consumer');
    await publish('fragile', 2);
    await waitFor(async () => {
      await run.trigger().catch(() => {});
      return run.transferred('success').length === 3;
    }, 'the messages after the reconnect');
    await run.stop();
  });

  test('backpressure: the broker keeps the backlog while the outgoing connection stays at its threshold', async () => {
    const total = 300;
    await publish('backlog', total);
    const registry = new ProcessorRegistry([ConsumeAMQP, LogAttribute]);
    const check = validateFlow(
      {
        schemaVersion: 1,
        id: 'bp',
        name: 'bp',
        processors: [
          {
            id: 'consume',
            type: 'ConsumeAMQP',
            config: { url: rabbit.url, queue: 'backlog', prefetch: 10, batchSize: 5 },
          },
          { id: 'sink', type: 'LogAttribute', config: { logLevel: 'debug' }, autoTerminate: ['success'] },
        ],
        connections: [
          { id: 'c', source: 'consume', relationships: ['success'], target: 'sink', backPressure: { objects: 20 } },
        ],
      },
      registry,
    );
    if (!check.ok) throw new Error(JSON.stringify(check.issues));
    const engine = new FlowEngine(check.resolved, registry);
    try {
      await engine.start({ skip: new Set(['sink']) });
      await waitFor(() => engine.status().connections.c!.backPressured, 'a full connection');
      // Give the consumer time to (wrongly) keep pulling; it must not.
      await new Promise((r) => setTimeout(r, 500));
      const depth = engine.status().connections.c!.count;
      expect(depth).toBeGreaterThanOrEqual(20);
      expect(depth).toBeLessThanOrEqual(20 + 5);
      // Everything else is still in RabbitMQ: at most `prefetch` messages are out with Sluice, unacknowledged.
      expect(await ready('backlog')).toBeGreaterThanOrEqual(total - depth - 10);
      const inbox = (engine.processor('consume') as unknown as { context: { state: { inbox: { size: number } } } })
        .context.state.inbox;
      expect(inbox.size).toBeLessThanOrEqual(10);
      await engine.startProcessor('sink');
      await waitFor(() => engine.status().processors.sink!.in === total, `all ${total} at the sink`, 20_000);
      expect(await ready('backlog')).toBe(0);
      expect(engine.status().processors.consume!.out).toBe(total);
    } finally {
      await engine.stop();
    }
  });

  test('a broker that is not there fails the start with the address, never the password', async () => {
    process.env.SLUICE_TEST_AMQP_PASSWORD = 'hunter2';
    const run = processorRunner(ConsumeAMQP, {
      url: `amqp://127.0.0.1:1/`,
      username: 'app',
      password: `\${SLUICE_TEST_AMQP_PASSWORD}`,
      queue: 'q',
    });
    const err = await run.start().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/^cannot connect to amqp:\/\/127\.0\.0\.1:1\/: /);
    expect(err?.message).not.toContain('hunter2');
  });
});

describe('ConsumeAMQP config', () => {
  test('rejects plain-text secrets, in the password and inside the URL', () => {
    expect(configIssues(ConsumeAMQP, { queue: 'q', password: 'secret' })).toEqual([
      { path: '/password', message: expect.stringContaining('environment variable') },
    ]);
    expect(configIssues(ConsumeAMQP, { queue: 'q', url: 'amqp://app:secret@host/' })).toEqual([
      { path: '/url', message: expect.stringContaining('plain-text password') },
    ]);
    expect(configIssues(ConsumeAMQP, { queue: 'q', password: `\${P:-fallback}` })).toHaveLength(1);
    expect(configIssues(ConsumeAMQP, { queue: 'q', url: `amqp://app:\${P}@host/`, password: `\${P}` })).toEqual([]);
    expect(configIssues(ConsumeAMQP, { queue: 'q', url: `\${AMQP_URL:-amqp://localhost}` })).toEqual([]);
  });

  test('names an empty queue and a malformed reference', () => {
    expect(configIssues(ConsumeAMQP, { queue: '' })[0]!.path).toBe('/queue');
    expect(configIssues(ConsumeAMQP, { queue: 'q', username: `\${1BAD}` })).toEqual([
      { path: '/username', message: expect.stringContaining('malformed environment reference') },
    ]);
  });

  test('an environment variable that is not set fails the start by name', async () => {
    delete process.env.SLUICE_TEST_UNSET;
    const run = processorRunner(ConsumeAMQP, { queue: 'q', url: `amqp://\${SLUICE_TEST_UNSET}/` });
    await expect(run.start()).rejects.toThrow(
      'environment variable SLUICE_TEST_UNSET is not set (referenced by "url")',
    );
  });
});
