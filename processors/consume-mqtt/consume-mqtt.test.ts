import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  configIssues,
  FlowEngine,
  ProcessorRegistry,
  type ProcessorRunner,
  processorRunner,
  validateFlow,
} from '../../sdk/testing';
import { type MosquittoHandle, startMosquitto } from '../../test/helpers/mosquitto';
import { waitFor } from '../../test/helpers/wait-for';
import LogAttribute from '../log-attribute';
import ConsumeMQTT from '.';

let broker: MosquittoHandle;
let publisher: MqttClient;

beforeAll(async () => {
  broker = await startMosquitto({ config: ['sys_interval 1', 'max_queued_messages 5000'] });
  publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'test-publisher' });
});

afterAll(async () => {
  await Promise.race([publisher?.endAsync(), new Promise((r) => setTimeout(r, 2000))]);
  await broker?.stop();
});

async function send(topic: string, count: number, options: mqtt.IClientPublishOptions = { qos: 1 }): Promise<void> {
  await Promise.all(Array.from({ length: count }, (_, i) => publisher.publishAsync(topic, `m${i}`, options)));
}

/** Triggers until `n` FlowFiles went to success. */
async function receive(run: ProcessorRunner<any, any>, n: number) {
  await waitFor(async () => {
    await run.trigger();
    return run.transferred('success').length >= n;
  }, `${n} FlowFiles`);
  return run.transferred('success');
}

describe('ConsumeMQTT against a real mosquitto', () => {
  test('a message becomes a FlowFile with topic, QoS, user properties and content type as attributes', async () => {
    const run = processorRunner(ConsumeMQTT, { url: broker.url, topics: ['sensors/+/temp'], clientId: 'attrs' });
    await run.start();
    await publisher.publishAsync('sensors/kitchen/temp', '21.5', {
      qos: 1,
      properties: { userProperties: { unit: 'C' }, contentType: 'text/plain' },
    });
    await publisher.publishAsync('sensors/kitchen/humidity', '40', { qos: 1 });
    const [ff] = await receive(run, 1);
    expect(ff!.content.toString()).toBe('21.5');
    expect(ff!.attributes).toMatchObject({
      'mqtt.topic': 'sensors/kitchen/temp',
      'mqtt.qos': '1',
      'mqtt.retained': 'false',
      'mqtt.user.unit': 'C',
      'mime.type': 'text/plain',
    });
    await run.trigger();
    expect(run.transferred('success')).toHaveLength(1);
    expect(run.provenance().filter((e) => e.type === 'RECEIVE')[0]!.transitUri).toBe(
      `mqtt://127.0.0.1:${broker.port}/sensors/kitchen/temp`,
    );
    await run.stop();
  });

  test('clean session off: messages published while the consumer is stopped arrive when it starts again', async () => {
    const cfg = { url: broker.url, topics: ['durable/#'], clientId: 'durable-1' };
    const first = processorRunner(ConsumeMQTT, cfg);
    await first.start();
    await first.stop();
    await send('durable/a', 5);
    const second = processorRunner(ConsumeMQTT, cfg);
    const got = await receive(second, 5);
    expect(got.map((f) => f.content.toString()).sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    await second.stop();
  });

  test('acknowledges only after commit: messages received but not committed are delivered again', async () => {
    const cfg = { url: broker.url, topics: ['alo/#'], clientId: 'alo-1', batchSize: 3 };
    const first = processorRunner(ConsumeMQTT, cfg);
    await first.start();
    await send('alo/x', 5);
    await waitFor(() => first.wakes >= 5, 'five deliveries');
    // Commit one batch of 3; the other 2 are in the inbox, in no session.
    await first.trigger();
    expect(first.transferred('success')).toHaveLength(3);
    await first.stop();
    const second = processorRunner(ConsumeMQTT, cfg);
    const again = await receive(second, 2);
    await new Promise((r) => setTimeout(r, 200));
    await second.trigger();
    const committed = first.transferred('success').map((f) => f.content.toString());
    const redelivered = second.transferred('success').map((f) => f.content.toString());
    expect(redelivered).toHaveLength(2);
    expect([...committed, ...redelivered].sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(again.every((f) => f.attributes['mqtt.duplicate'] === 'true')).toBe(true);
    await second.stop();
  });

  test('QoS 2: delivered once, and still at-least-once when stopped before the commit', async () => {
    const cfg = { url: broker.url, topics: ['q2/#'], clientId: 'q2-1', qos: 2 };
    const first = processorRunner(ConsumeMQTT, cfg);
    await first.start();
    await send('q2/a', 3, { qos: 2 });
    await waitFor(() => first.wakes >= 3, 'three QoS 2 deliveries');
    await first.stop();
    const second = processorRunner(ConsumeMQTT, cfg);
    const got = await receive(second, 3);
    expect(got.map((f) => [f.content.toString(), f.attributes['mqtt.qos']])).toEqual([
      ['m0', '2'],
      ['m1', '2'],
      ['m2', '2'],
    ]);
    await second.stop();
    const third = processorRunner(ConsumeMQTT, cfg);
    await third.start();
    await new Promise((r) => setTimeout(r, 300));
    await third.trigger();
    expect(third.transferred('success')).toHaveLength(0);
    await third.stop();
  });

  test('a rolled-back session gives its messages back to the next session, in order', async () => {
    let fail = true;
    const Failing: typeof ConsumeMQTT = {
      ...ConsumeMQTT,
      async onTrigger(session, ctx) {
        await ConsumeMQTT.onTrigger(session, ctx);
        if (fail) throw new Error('downstream trouble');
      },
    };
    const run = processorRunner(Failing, { url: broker.url, topics: ['rb/#'], clientId: 'rb-1' });
    await run.start();
    await send('rb/a', 1);
    await publisher.publishAsync('rb/a', 'second', { qos: 1 });
    await waitFor(() => run.wakes >= 2, 'two deliveries');
    await expect(run.trigger()).rejects.toThrow('downstream trouble');
    fail = false;
    await run.trigger();
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual(['m0', 'second']);
    await run.stop();
  });

  test('QoS 0 has no flow control: beyond receiveMaximum messages are dropped and the drop is logged', async () => {
    const run = processorRunner(ConsumeMQTT, {
      url: broker.url,
      topics: ['q0/#'],
      clientId: 'q0-1',
      qos: 0,
      receiveMaximum: 5,
    });
    await run.start();
    await send('q0/a', 20, { qos: 0 });
    const state = (run as unknown as { state: { dropped: number } }).state;
    await waitFor(() => state.dropped === 15, 'the 15 messages beyond the inbox');
    await run.trigger();
    expect(run.transferred('success')).toHaveLength(5);
    expect(run.logs.find((l) => l.msg?.includes('QoS 0 messages dropped'))?.obj).toMatchObject({ dropped: 15 });
    await run.stop();
  });

  test('backpressure: the broker queues the backlog while the outgoing connection stays at its threshold', async () => {
    const total = 300;
    const registry = new ProcessorRegistry([ConsumeMQTT, LogAttribute]);
    const check = validateFlow(
      {
        schemaVersion: 1,
        id: 'bp',
        name: 'bp',
        processors: [
          {
            id: 'consume',
            type: 'ConsumeMQTT',
            config: { url: broker.url, topics: ['bp/#'], clientId: 'bp-1', receiveMaximum: 10, batchSize: 5 },
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
    const stored = await storedMessages();
    await waitFor(() => stored.latest() >= 0, 'a first $SYS report');
    const baseline = stored.latest();
    try {
      await engine.start({ skip: new Set(['sink']) });
      await send('bp/x', total);
      await waitFor(() => engine.status().connections.c!.backPressured, 'a full connection');
      await new Promise((r) => setTimeout(r, 500));
      const depth = engine.status().connections.c!.count;
      expect(depth).toBeGreaterThanOrEqual(20);
      expect(depth).toBeLessThanOrEqual(20 + 5);
      // mosquitto reports the messages it holds for the durable session ($SYS, every second).
      await waitFor(() => stored.latest() - baseline >= total - depth - 10, 'the backlog stored in mosquitto', 5000);
      // Sluice holds no more than the broker's in-flight window (receive maximum) beyond the connection.
      const inbox = (engine.processor('consume') as unknown as { context: { state: { inbox: { size: number } } } })
        .context.state.inbox;
      expect(inbox.size).toBeLessThanOrEqual(10);
      await engine.startProcessor('sink');
      await waitFor(() => engine.status().processors.sink!.in === total, `all ${total} at the sink`, 20_000);
      expect(engine.status().processors.consume!.out).toBe(total);
    } finally {
      await engine.stop();
      await stored.close();
    }
  });

  test('a broker that is not there fails the start with its address', async () => {
    const run = processorRunner(ConsumeMQTT, { url: 'mqtt://127.0.0.1:1', topics: ['x'] });
    await expect(run.start()).rejects.toThrow(/^cannot connect to mqtt:\/\/127\.0\.0\.1:1: /);
  });
});

/** Follows mosquitto's `$SYS/broker/store/messages/count`. */
async function storedMessages() {
  const client = await mqtt.connectAsync(broker.url, { clientId: 'sys-watch' });
  let latest = -1;
  client.on('message', (_topic, payload) => {
    latest = Number(payload.toString());
  });
  await client.subscribeAsync('$SYS/broker/store/messages/count');
  return { latest: () => latest, close: () => client.endAsync() };
}

describe('ConsumeMQTT config', () => {
  test('needs at least one topic filter; rejects a plain-text password', () => {
    expect(configIssues(ConsumeMQTT, { topics: [] })[0]!.path).toBe('/topics');
    expect(configIssues(ConsumeMQTT, { topics: ['a'], password: 'pw' })).toEqual([
      { path: '/password', message: expect.stringContaining('environment variable') },
    ]);
  });
});
