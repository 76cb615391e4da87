import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ConsumeMQTT from '../../processors/consume-mqtt';
import PublishMQTT from '../../processors/publish-mqtt';
import { configIssues, type ProcessorRunner, processorRunner } from '../../sdk/testing';
import { type MosquittoHandle, startMosquitto } from '../../test/helpers/mosquitto';
import { waitFor } from '../../test/helpers/wait-for';
import { connectionsToPort, enableService, withServices } from '../broker-test-kit';
import MQTTConnection, { type MqttConnectionService } from '.';

let broker: MosquittoHandle;
/** Follows mosquitto's $SYS counters (it counts itself: one client, two subscriptions). */
let monitor: MqttClient;
const sys = new Map<string, number>();

beforeAll(async () => {
  broker = await startMosquitto({ config: ['sys_interval 1'] });
  monitor = await mqtt.connectAsync(broker.url, { clientId: 'sys-monitor' });
  monitor.on('message', (topic, payload) => sys.set(topic, Number(payload.toString())));
  await monitor.subscribeAsync(['$SYS/broker/clients/connected', '$SYS/broker/subscriptions/count']);
});

afterAll(async () => {
  await Promise.race([monitor?.endAsync(), new Promise((r) => setTimeout(r, 2000))]);
  await broker?.stop();
});

const connected = () => sys.get('$SYS/broker/clients/connected');
const subscriptions = () => sys.get('$SYS/broker/subscriptions/count');

async function receive(run: ProcessorRunner, n: number) {
  await waitFor(async () => {
    await run.trigger();
    return run.transferred('success').length >= n;
  }, `${n} FlowFiles`);
  return run.transferred('success').map((f) => `${f.attributes['mqtt.topic']} ${f.content}`);
}

describe('MQTTConnection against a real mosquitto', () => {
  test('two consumers and a publisher share one client; messages go to the filters that match them', async () => {
    await waitFor(() => connected() === 1 && subscriptions() === 2, 'the monitor alone');
    const service = await enableService(MQTTConnection, { url: broker.url }, 'mosquitto');
    const svc = service.instance as MqttConnectionService;
    const connection = { service: 'mosquitto' };
    const eu = processorRunner(withServices(ConsumeMQTT, [service]), { connection, topics: ['orders/+'] });
    const all = processorRunner(withServices(ConsumeMQTT, [service]), { connection, topics: ['orders/#', 'other'] });
    const publish = processorRunner(withServices(PublishMQTT, [service]), { connection, topic: 'orders/eu' });
    try {
      await eu.start();
      await all.start();
      await publish.start();
      // The broker sees one client besides the monitor, holding the three filters.
      await waitFor(() => connected() === 2 && subscriptions() === 2 + 3, 'one client, three filters');
      expect(await connectionsToPort(broker.port)).toBe(2);

      publish.enqueue('one');
      await publish.trigger();
      expect(publish.transferred('success')).toHaveLength(1);
      expect(publish.provenance()[0]!.transitUri).toBe(`mqtt://127.0.0.1:${broker.port}/orders/eu`);
      await svc.publish('orders/eu/deep', 'two', { qos: 1 });
      await svc.publish('other', 'three', { qos: 1 });
      expect(await receive(all, 3)).toEqual(['orders/eu one', 'orders/eu/deep two', 'other three']);
      expect(await receive(eu, 1)).toEqual(['orders/eu one']);
      await all.trigger();
      await eu.trigger();
      expect(eu.transferred('success')).toHaveLength(1);
      expect(all.transferred('success')).toHaveLength(3);

      // The eu consumer leaves: its filter is unsubscribed, the other consumer goes on.
      await eu.stop();
      await waitFor(() => subscriptions() === 2 + 2, 'orders/+ unsubscribed');
      await svc.publish('orders/us', 'four', { qos: 1 });
      expect((await receive(all, 4)).at(-1)).toBe('orders/us four');
      await all.stop();
      await publish.stop();
      await waitFor(() => subscriptions() === 2, 'every filter unsubscribed');
      expect(connected()).toBe(2);
    } finally {
      await eu.stop();
      await all.stop();
      await publish.stop();
      await service.disable();
    }
    await waitFor(() => connected() === 1, 'the shared client disconnected');
    expect(await connectionsToPort(broker.port)).toBe(1);
  });

  test('a filter two consumers share is subscribed once and unsubscribed when the last one leaves; a QoS 1 message is acknowledged once both committed', async () => {
    const service = await enableService(MQTTConnection, { url: broker.url }, 'mosquitto');
    const svc = service.instance as MqttConnectionService;
    const connection = { service: 'mosquitto' };
    const a = processorRunner(withServices(ConsumeMQTT, [service]), { connection, topics: ['shared/t'] });
    const b = processorRunner(withServices(ConsumeMQTT, [service]), { connection, topics: ['shared/t'], qos: 2 });
    const held = () => (svc as unknown as { acks: { heldCount: number } }).acks.heldCount;
    try {
      await a.start();
      await b.start();
      await waitFor(() => subscriptions() === 2 + 1, 'one subscription for both');
      await svc.publish('shared/t', 'x', { qos: 1 });
      await waitFor(() => held() === 1, 'the PUBACK held');
      expect(await receive(a, 1)).toEqual(['shared/t x']);
      expect(held()).toBe(1);
      expect(await receive(b, 1)).toEqual(['shared/t x']);
      expect(held()).toBe(0);

      await a.stop();
      await svc.publish('shared/t', 'y', { qos: 1 });
      expect((await receive(b, 2)).at(-1)).toBe('shared/t y');
      expect(subscriptions()).toBe(2 + 1);
      await b.stop();
      await waitFor(() => subscriptions() === 2, 'unsubscribed with the last subscriber');
    } finally {
      await a.stop();
      await b.stop();
      await service.disable();
    }
  });

  test('a broker that is not there fails enable with its address, never the password', async () => {
    process.env.SLUICE_TEST_MQTT_SERVICE_PASSWORD = 'hunter2-mqtt';
    const err = await enableService(MQTTConnection, {
      url: 'mqtt://127.0.0.1:1',
      username: 'app',
      password: `\${SLUICE_TEST_MQTT_SERVICE_PASSWORD}`,
    }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/^cannot connect to mqtt:\/\/127\.0\.0\.1:1: /);
    expect(err?.message).not.toContain('hunter2-mqtt');
  });
});

describe('MQTT processors with a connection service', () => {
  test('inline connection and session settings next to a service reference are issues at their paths', () => {
    const connection = { service: 'mosquitto' };
    expect(configIssues(ConsumeMQTT, { connection, topics: ['a'] })).toEqual([]);
    expect(
      configIssues(ConsumeMQTT, { connection, topics: ['a'], clientId: 'mine', cleanSession: true }).map((i) => i.path),
    ).toEqual(['/clientId', '/cleanSession']);
    expect(configIssues(PublishMQTT, { connection, url: 'mqtt://elsewhere:1883' })).toEqual([
      { path: '/url', message: expect.stringContaining('"connection" references service "mosquitto"') },
    ]);
  });
});
