import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { configIssues, processorRunner } from '../../sdk/testing';
import { type MosquittoHandle, startMosquitto } from '../../test/helpers/mosquitto';
import { waitFor } from '../../test/helpers/wait-for';
import ConsumeMQTT from '../consume-mqtt';
import PublishMQTT from '.';

let broker: MosquittoHandle;
let subscriber: MqttClient;
const received: { topic: string; payload: string; packet: mqtt.IPublishPacket }[] = [];

beforeAll(async () => {
  // Anonymous clients may use out/#, nothing else: a publish elsewhere is refused with a reason code.
  broker = await startMosquitto({
    files: { acl: 'topic readwrite out/#\n' },
    config: ['acl_file $DIR/acl'],
  });
  subscriber = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'test-subscriber' });
  subscriber.on('message', (topic, payload, packet) => received.push({ topic, payload: payload.toString(), packet }));
  await subscriber.subscribeAsync('out/#', { qos: 1 });
});

afterAll(async () => {
  await Promise.race([subscriber?.endAsync(), new Promise((r) => setTimeout(r, 2000))]);
  await broker?.stop();
});

const on = (topic: string) => received.filter((m) => m.topic === topic);

describe('PublishMQTT against a real mosquitto', () => {
  test('publishes QoS 1 with user properties from attributes and the content type; SEND provenance', async () => {
    const run = processorRunner(PublishMQTT, { url: broker.url, topic: 'out/plain', headerAttributes: '^tenant$' });
    run.enqueue('{"t":21}', { 'mime.type': 'application/json', 'mqtt.user.unit': 'C', tenant: 'acme', other: 'x' });
    run.enqueue('second');
    await run.trigger();
    expect(run.transferred('success')).toHaveLength(2);
    await waitFor(() => on('out/plain').length === 2, 'two messages');
    const [m] = on('out/plain');
    expect(m!.payload).toBe('{"t":21}');
    expect(m!.packet.qos).toBe(1);
    expect(m!.packet.properties?.contentType).toBe('application/json');
    expect(m!.packet.properties?.userProperties).toEqual({ unit: 'C', tenant: 'acme' });
    expect(run.provenance().filter((e) => e.type === 'SEND')[0]!.transitUri).toBe(
      `mqtt://127.0.0.1:${broker.port}/out/plain`,
    );
    await run.stop();
  });

  test('a retained message reaches a subscriber that comes later', async () => {
    const run = processorRunner(PublishMQTT, { url: broker.url, topic: 'out/status', retain: true, qos: 2 });
    run.enqueue('online');
    await run.trigger();
    expect(run.transferred('success')).toHaveLength(1);
    await run.stop();
    const late = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    const got = new Promise<mqtt.IPublishPacket>((resolve) =>
      late.once('message', (_t, _p, packet) => resolve(packet)),
    );
    await late.subscribeAsync('out/status');
    const packet = await got;
    expect(packet.retain).toBe(true);
    expect(packet.payload.toString()).toBe('online');
    await late.endAsync();
  });

  test('a topic expression picks the topic per FlowFile; an empty or wildcard topic goes to failure', async () => {
    const run = processorRunner(PublishMQTT, { url: broker.url, topicExpression: '"out/" & attributes.room' });
    run.enqueue('a', { room: 'kitchen' });
    run.enqueue('b', { room: 'hall' });
    run.enqueue('c', { room: '#' });
    await run.trigger();
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual(['a', 'b']);
    expect(run.transferred('failure')[0]!.attributes['mqtt.error']).toBe('invalid topic "out/#"');
    await waitFor(() => on('out/kitchen').length === 1 && on('out/hall').length === 1, 'both rooms');
    await run.stop();
  });

  test("a publish the broker refuses (MQTT 5 reason code) goes to failure with the broker's reason", async () => {
    const run = processorRunner(PublishMQTT, { url: broker.url, topic: 'forbidden/x' });
    run.enqueue('nope');
    await run.trigger();
    expect(run.transferred('success')).toHaveLength(0);
    expect(run.transferred('failure')[0]!.attributes['mqtt.error']).toMatch(/Not authorized/i);
    await run.stop();
  });

  test('round trip: PublishMQTT then ConsumeMQTT keeps content and user properties', async () => {
    const consume = processorRunner(ConsumeMQTT, { url: broker.url, topics: ['out/trip'], clientId: 'trip' });
    await consume.start();
    const publish = processorRunner(PublishMQTT, { url: broker.url, topic: 'out/trip' });
    for (let i = 0; i < 50; i++) publish.enqueue(`payload ${i}`, { 'mqtt.user.seq': String(i) });
    await publish.run();
    expect(publish.transferred('success')).toHaveLength(50);
    await waitFor(async () => {
      await consume.trigger();
      return consume.transferred('success').length === 50;
    }, '50 consumed');
    const got = consume.transferred('success');
    expect(got.map((f) => f.content.toString())).toEqual(Array.from({ length: 50 }, (_, i) => `payload ${i}`));
    expect(got.map((f) => f.attributes['mqtt.user.seq'])).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    await publish.stop();
    await consume.stop();
  });
});

describe('PublishMQTT config', () => {
  test('needs a topic without wildcards, or an expression that compiles', () => {
    expect(configIssues(PublishMQTT, { topic: '' })).toEqual([
      { path: '/topic', message: 'set a topic or a topicExpression' },
    ]);
    expect(configIssues(PublishMQTT, { topic: 'a/+/b' })[0]!.path).toBe('/topic');
    expect(configIssues(PublishMQTT, { topicExpression: '"a" &' })[0]!.path).toBe('/topicExpression');
    expect(configIssues(PublishMQTT, { topic: 'a', qos: 3 })[0]!.path).toBe('/qos');
  });
});
