/**
 * The example flow flows/examples/rabbitmq-window-mqtt.json, run for real: readings go into a real RabbitMQ,
 * through WindowAggregate, and out of a real mosquitto; the broker URLs come from the environment, as the
 * flow's ${AMQP_URL} and ${MQTT_URL} references say.
 */
import path from 'node:path';
import amqp, { type ChannelModel } from 'amqplib';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { FlowEngine } from '../../server/engine/flow-engine';
import { loadFlowFile } from '../../server/flow-loader';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto';
import { type RabbitHandle, startRabbit } from '../helpers/rabbitmq';
import { waitFor } from '../helpers/wait-for';

const example = path.resolve(import.meta.dirname, '../../flows/examples/rabbitmq-window-mqtt.json');

let rabbit: RabbitHandle;
let mosquitto: MosquittoHandle;
let amqpModel: ChannelModel;
let subscriber: MqttClient;
const summaries = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  [rabbit, mosquitto] = await Promise.all([startRabbit(), startMosquitto()]);
  process.env.AMQP_URL = rabbit.url;
  process.env.MQTT_URL = mosquitto.url;
  amqpModel = await amqp.connect(rabbit.url);
  subscriber = await mqtt.connectAsync(mosquitto.url, { protocolVersion: 5 });
  subscriber.on('message', (topic, payload) => summaries.set(topic, JSON.parse(payload.toString())));
  await subscriber.subscribeAsync('sensors/+/per-minute', { qos: 1 });
});

afterAll(async () => {
  delete process.env.AMQP_URL;
  delete process.env.MQTT_URL;
  // Clients that hang must never keep a broker alive: the brokers are stopped whatever the clients do.
  await Promise.race([
    Promise.all([subscriber?.endAsync(), amqpModel?.close().catch(() => {})]),
    new Promise((r) => setTimeout(r, 2000)),
  ]);
  await Promise.all([rabbit?.stop(), mosquitto?.stop()]);
});

describe('example: RabbitMQ → WindowAggregate → MQTT', () => {
  test('per-sensor minute summaries reach MQTT; a reading too late goes to the late log', async () => {
    const registry = createRegistry();
    const check = await loadFlowFile(example, registry);
    if (!check.ok) throw new Error(JSON.stringify(check.issues));
    const engine = new FlowEngine(check.resolved, registry);
    const failures = await engine.start();
    expect(failures).toEqual([]);
    try {
      const ch = await amqpModel.createConfirmChannel();
      const send = (sensor: string, value: number, ts: string) =>
        ch.sendToQueue('sensor-readings', Buffer.from(JSON.stringify({ sensor, value, ts })), {
          contentType: 'application/json',
        });
      send('s1', 20, '2024-01-01T00:00:05Z');
      send('s2', 5, '2024-01-01T00:00:10Z');
      send('s1', 22, '2024-01-01T00:00:40Z');
      send('s1', 27, '2024-01-01T00:00:20Z'); // out of order: the last by event time stays 22
      send('s2', 7, '2024-01-01T00:00:59Z');
      send('s1', 1, '2024-01-01T00:02:00Z'); // moves the watermark past the first minute
      await ch.waitForConfirms();
      await waitFor(() => summaries.size === 2, 'two per-minute summaries on MQTT', 20_000);
      expect(summaries.get('sensors/s1/per-minute')).toEqual({
        key: 's1',
        start: '2024-01-01T00:00:00.000Z',
        end: '2024-01-01T00:01:00.000Z',
        count: 3,
        average: 23,
        lowest: 20,
        highest: 27,
        latest: 22,
      });
      expect(summaries.get('sensors/s2/per-minute')).toMatchObject({ count: 2, average: 6, lowest: 5, highest: 7 });

      send('s2', 100, '2024-01-01T00:00:30Z'); // the first minute closed 30 s + 5 s ago: late
      await ch.waitForConfirms();
      await waitFor(() => engine.status().processors['log-late']!.in === 1, 'the late reading logged');
      expect(summaries.get('sensors/s2/per-minute')).toMatchObject({ count: 2 });
      await ch.close();
    } finally {
      await engine.stop();
    }
    // Stopping emitted the still open minute (s1 at 00:02) as an early pane, in the queue towards MQTT.
    const flushed = await engine.listQueue('window-to-publish');
    expect(flushed.map((q) => [q.attributes['window.key'], q.attributes['window.pane.timing']])).toEqual([
      ['s1', 'early'],
    ]);
  });
});
