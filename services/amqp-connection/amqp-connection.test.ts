import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ConsumeAMQP from '../../processors/consume-amqp';
import PublishAMQP from '../../processors/publish-amqp';
import { createRegistry } from '../../processors/registry';
import { configIssues, FlowEngine, processorRunner, validateFlow } from '../../sdk/testing';
import { type RabbitHandle, startRabbit } from '../../test/helpers/rabbitmq';
import { waitFor } from '../../test/helpers/wait-for';
import { connectionsToPort, enableService, withServices } from '../broker-test-kit';
import AMQPConnection, { type AmqpConnectionService } from '.';

let rabbit: RabbitHandle;

beforeAll(async () => {
  rabbit = await startRabbit();
});

afterAll(async () => {
  await rabbit?.stop();
});

describe('AMQPConnection against a real RabbitMQ', () => {
  test('a consumer and a publisher share one connection; stopping them keeps it, disabling closes it', async () => {
    expect(await connectionsToPort(rabbit.port)).toBe(0);
    const service = await enableService(AMQPConnection, { url: rabbit.url }, 'rabbit');
    const svc = service.instance as AmqpConnectionService;
    expect(await connectionsToPort(rabbit.port)).toBe(1);
    expect(svc.address.toString()).toBe(`amqp://127.0.0.1:${rabbit.port}/`);

    const consume = processorRunner(withServices(ConsumeAMQP, [service]), {
      connection: { service: 'rabbit' },
      queue: 'shared-orders',
    });
    const publish = processorRunner(withServices(PublishAMQP, [service]), {
      connection: { service: 'rabbit' },
      routingKey: 'shared-orders',
    });
    try {
      await consume.start();
      await publish.start();
      // Two processors, each on its own channel, one TCP connection to the broker.
      expect(await connectionsToPort(rabbit.port)).toBe(1);

      for (let i = 0; i < 3; i++) publish.enqueue(`order ${i}`, { 'amqp.header.n': String(i) });
      await publish.trigger();
      expect(publish.transferred('success')).toHaveLength(3);
      expect(publish.provenance().filter((e) => e.type === 'SEND')[0]!.transitUri).toBe(
        `amqp://127.0.0.1:${rabbit.port}//(default)/shared-orders`,
      );
      await waitFor(async () => {
        await consume.trigger();
        return consume.transferred('success').length === 3;
      }, 'the 3 messages at the consumer');
      expect(consume.transferred('success').map((f) => [f.content.toString(), f.attributes['amqp.header.n']])).toEqual([
        ['order 0', '0'],
        ['order 1', '1'],
        ['order 2', '2'],
      ]);

      // The consumer stops: its channel closes, the shared connection stays for the publisher.
      await consume.stop();
      publish.enqueue('after the consumer stopped');
      await publish.trigger();
      expect(publish.transferred('success')).toHaveLength(4);
      const probe = await svc.channel();
      await waitFor(async () => (await probe.checkQueue('shared-orders')).messageCount === 1, 'the message queued');
      await probe.close();
      await publish.stop();
      expect(await connectionsToPort(rabbit.port)).toBe(1);

      await service.disable();
      await waitFor(async () => (await connectionsToPort(rabbit.port)) === 0, 'the connection closed');
      await expect(svc.channel()).rejects.toThrow('is disabled');
    } finally {
      await consume.stop();
      await publish.stop();
      await service.disable();
    }
  });

  test('a lost connection is reopened on next use, and the consumer goes on', async () => {
    const service = await enableService(AMQPConnection, { url: rabbit.url }, 'rabbit');
    const svc = service.instance as AmqpConnectionService;
    const consume = processorRunner(withServices(ConsumeAMQP, [service]), {
      connection: { service: 'rabbit' },
      queue: 'shared-reconnect',
    });
    try {
      await consume.start();
      // Force-close the shared connection the way a broker restart would look to the client.
      const model = (svc as unknown as { model: { connection: { stream: { destroy(err: Error): void } } } }).model;
      model.connection.stream.destroy(new Error('connection reset by the test'));
      await waitFor(async () => (await connectionsToPort(rabbit.port)) === 0, 'the connection gone');
      await waitFor(async () => {
        await consume.trigger().catch(() => {});
        return (await connectionsToPort(rabbit.port)) === 1;
      }, 'the consumer reopening its channel on a new shared connection');
      const ch = await svc.confirmChannel();
      ch.sendToQueue('shared-reconnect', Buffer.from('after the reconnect'));
      await ch.waitForConfirms();
      await ch.close();
      await waitFor(async () => {
        await consume.trigger().catch(() => {});
        return consume.transferred('success').length === 1;
      }, 'the message after the reconnect');
      expect(await connectionsToPort(rabbit.port)).toBe(1);
    } finally {
      await consume.stop();
      await service.disable();
    }
  });

  test('a broker that is not there fails enable with the address, never the password', async () => {
    process.env.SLUICE_TEST_AMQP_SERVICE_PASSWORD = 'hunter2-amqp';
    const err = await enableService(AMQPConnection, {
      url: 'amqp://127.0.0.1:1/',
      username: 'app',
      password: `\${SLUICE_TEST_AMQP_SERVICE_PASSWORD}`,
    }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/^cannot connect to amqp:\/\/127\.0\.0\.1:1\/: /);
    expect(err?.message).not.toContain('hunter2-amqp');
  });
});

describe('AMQPConnection in a running flow', () => {
  test('the engine enables it before a publisher and a consumer that reference it, and disables it after', async () => {
    // The queue exists before the publisher's first message (processors start together; an unroutable
    // message would go to failure).
    const declare = await amqp.connect(rabbit.url);
    await (await declare.createChannel()).assertQueue('flow-q', { durable: true });
    await declare.close();
    await waitFor(async () => (await connectionsToPort(rabbit.port)) === 0, 'the declaring connection closed');
    const registry = createRegistry();
    const check = validateFlow(
      {
        schemaVersion: 2,
        id: 'shared-amqp',
        name: 'Shared AMQP',
        services: [{ id: 'rabbit', type: 'AMQPConnection', config: { url: rabbit.url } }],
        processors: [
          { id: 'gen', type: 'GenerateFlowFile', config: { content: 'hello', count: 5 } },
          {
            id: 'publish',
            type: 'PublishAMQP',
            config: { connection: { service: 'rabbit' }, routingKey: 'flow-q' },
            autoTerminate: ['success', 'failure'],
          },
          { id: 'consume', type: 'ConsumeAMQP', config: { connection: { service: 'rabbit' }, queue: 'flow-q' } },
          { id: 'sink', type: 'LogAttribute', config: { logLevel: 'debug' }, autoTerminate: ['success'] },
        ],
        connections: [
          { id: 'c1', source: 'gen', relationships: ['success'], target: 'publish' },
          { id: 'c2', source: 'consume', relationships: ['success'], target: 'sink' },
        ],
      },
      registry,
      { registerSecrets: false },
    );
    if (!check.ok) throw new Error(JSON.stringify(check.issues));
    const engine = new FlowEngine(check.resolved, registry);
    try {
      expect(await engine.start()).toEqual([]);
      expect(await connectionsToPort(rabbit.port)).toBe(1);
      await waitFor(() => engine.status().processors.sink!.in === 5, 'the 5 FlowFiles through RabbitMQ');
      expect(engine.status().processors.publish!.in).toBe(5);
      expect(engine.status().services.rabbit!.state).toBe('enabled');
      expect(await connectionsToPort(rabbit.port)).toBe(1);
    } finally {
      await engine.stop();
    }
    await waitFor(async () => (await connectionsToPort(rabbit.port)) === 0, 'the connection closed at stop');
  });
});

describe('AMQP processors with a connection service', () => {
  test('inline connection settings next to a service reference are an issue at their path', () => {
    const connection = { service: 'rabbit' };
    expect(configIssues(ConsumeAMQP, { connection, queue: 'q' })).toEqual([]);
    expect(configIssues(ConsumeAMQP, { connection, queue: 'q', url: 'amqp://elsewhere:5672' })).toEqual([
      { path: '/url', message: expect.stringContaining('"connection" references service "rabbit"') },
    ]);
    expect(configIssues(PublishAMQP, { connection, username: 'app', heartbeatSeconds: 5 }).map((i) => i.path)).toEqual([
      '/username',
      '/heartbeatSeconds',
    ]);
    expect(configIssues(PublishAMQP, { connection: { service: '' } })[0]!.path).toBe('/connection/service');
  });

  test('a processor whose service is not available fails its start by the service name', async () => {
    const run = processorRunner(ConsumeAMQP, { connection: { service: 'rabbit' }, queue: 'q' });
    await expect(run.start()).rejects.toThrow('service "rabbit"');
  });
});
