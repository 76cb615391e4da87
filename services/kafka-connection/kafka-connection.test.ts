/**
 * No Kafka broker can be installed where this was built (as for ConsumeKafka and PublishKafka): these tests
 * cover the config → kafkajs options, the sharing of the producer and of the client with kafkajs's producer and
 * consumer interfaces stood in for, and a start against a port where nothing listens.
 */
import type { Consumer, ConsumerConfig, Producer, ProducerConfig, ProducerRecord } from 'kafkajs';
import { describe, expect, test } from 'vitest';
import ConsumeKafka from '../../processors/consume-kafka';
import { kafkaClientConfig } from '../../processors/kafka-connect';
import PublishKafka from '../../processors/publish-kafka';
import { configIssues, processorRunner } from '../../sdk/testing';
import { enableService, memoryLogger, serviceConfig, withServices } from '../broker-test-kit';
import KafkaConnection, { type KafkaConnectionService } from '.';

describe('KafkaConnection config', () => {
  test('becomes the kafkajs client options: brokers from the environment, SASL, TLS, retries', async () => {
    process.env.SLUICE_TEST_KAFKA_BROKER = 'b2:9093';
    process.env.SLUICE_TEST_KAFKA_PASSWORD = 'hunter2-kafka';
    const config = serviceConfig(KafkaConnection, {
      brokers: ['b1:9092', `\${SLUICE_TEST_KAFKA_BROKER}`],
      clientId: 'orders',
      ssl: true,
      saslMechanism: 'scram-sha-256',
      saslUsername: 'app',
      saslPassword: `\${SLUICE_TEST_KAFKA_PASSWORD}`,
      retries: 2,
    });
    expect(kafkaClientConfig(config, memoryLogger())).toMatchObject({
      brokers: ['b1:9092', 'b2:9093'],
      clientId: 'orders',
      ssl: true,
      sasl: { mechanism: 'scram-sha-256', username: 'app', password: 'hunter2-kafka' },
      connectionTimeout: 3000,
      retry: { retries: 2 },
    });
    const service = await enableService(KafkaConnection, config, 'kafka');
    expect(service.instance.uri).toBe('kafka://b1:9092,b2:9093');
    expect(service.instance.retries).toBe(2);
    await service.disable();
  });

  test('SASL without a user name, and a broker that is not host:port, are issues', () => {
    expect(() => serviceConfig(KafkaConnection, { saslMechanism: 'plain' })).toThrow('/saslUsername');
    expect(() => serviceConfig(KafkaConnection, { brokers: ['kafka://b1'] })).toThrow('/brokers/0');
  });
});

/** The service with kafkajs's producer and consumer factories stood in for, counting what they make. */
async function offlineService() {
  const service = await enableService(KafkaConnection, { brokers: ['broker:9092'], retries: 3 }, 'kafka');
  const svc = service.instance as KafkaConnectionService;
  const made = { producers: [] as ProducerConfig[], consumers: [] as ConsumerConfig[] };
  const calls: string[] = [];
  const sent: ProducerRecord[] = [];
  Object.assign(svc.kafka, {
    producer: (config: ProducerConfig) => {
      made.producers.push(config);
      return {
        connect: async () => calls.push('producer connect'),
        disconnect: async () => calls.push('producer disconnect'),
        send: async (record: ProducerRecord) => {
          sent.push(record);
          return [{ topicName: record.topic, partition: 0, errorCode: 0 }];
        },
      } as unknown as Producer;
    },
    consumer: (config: ConsumerConfig) => {
      made.consumers.push(config);
      return {
        connect: async () => calls.push(`consumer ${config.groupId} connect`),
        subscribe: async () => calls.push(`consumer ${config.groupId} subscribe`),
        run: async () => calls.push(`consumer ${config.groupId} run`),
        disconnect: async () => calls.push(`consumer ${config.groupId} disconnect`),
      } as unknown as Consumer;
    },
  });
  return { service, made, calls, sent };
}

describe('Kafka processors with a KafkaConnection service', () => {
  test('publishers share the one producer; stopping them keeps it, disabling disconnects it', async () => {
    const { service, made, calls, sent } = await offlineService();
    const connection = { service: 'kafka' };
    const a = processorRunner(withServices(PublishKafka, [service]), { connection, topic: 'a' });
    const b = processorRunner(withServices(PublishKafka, [service]), { connection, topic: 'b' });
    await a.start();
    await b.start();
    a.enqueue('to a');
    b.enqueue('to b');
    await a.trigger();
    await b.trigger();
    expect(made.producers).toEqual([{ allowAutoTopicCreation: false, retry: { retries: 3 } }]);
    expect(sent.map((r) => [r.topic, String(r.messages[0]!.value)])).toEqual([
      ['a', 'to a'],
      ['b', 'to b'],
    ]);
    expect(a.provenance().find((e) => e.type === 'SEND')!.transitUri).toBe('kafka://broker:9092/a');
    await a.stop();
    await b.stop();
    expect(calls).toEqual(['producer connect']);
    await service.disable();
    expect(calls).toEqual(['producer connect', 'producer disconnect']);
  });

  test('a consumer is made from the shared client with the service retries, and disconnects only itself', async () => {
    const { service, made, calls } = await offlineService();
    const run = processorRunner(withServices(ConsumeKafka, [service]), { connection: { service: 'kafka' } });
    await run.start();
    expect(made.consumers).toEqual([
      { groupId: 'sluice-test-flow-under-test', maxBytesPerPartition: 1048576, retry: { retries: 3 } },
    ]);
    await run.stop();
    expect(calls).toEqual([
      'consumer sluice-test-flow-under-test connect',
      'consumer sluice-test-flow-under-test subscribe',
      'consumer sluice-test-flow-under-test run',
      'consumer sluice-test-flow-under-test disconnect',
    ]);
    await service.disable();
    expect(calls).toHaveLength(4);
  });

  test('brokers that are not there fail the publisher start by address, never the SASL password', async () => {
    process.env.SLUICE_TEST_KAFKA_PASSWORD = 'hunter2-kafka';
    const service = await enableService(
      KafkaConnection,
      {
        brokers: ['127.0.0.1:1'],
        retries: 0,
        connectionTimeout: 500,
        saslMechanism: 'plain',
        saslUsername: 'app',
        saslPassword: `\${SLUICE_TEST_KAFKA_PASSWORD}`,
      },
      'kafka',
    );
    const run = processorRunner(withServices(PublishKafka, [service]), { connection: { service: 'kafka' } });
    const err = await run.start().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/^cannot connect to kafka:\/\/127\.0\.0\.1:1: /);
    expect(err?.message).not.toContain('hunter2-kafka');
    await service.disable();
  });

  test('inline connection settings next to a service reference are issues at their paths', () => {
    const connection = { service: 'kafka' };
    expect(configIssues(ConsumeKafka, { connection })).toEqual([]);
    expect(configIssues(PublishKafka, { connection, brokers: ['other:9092'], ssl: true }).map((i) => i.path)).toEqual([
      '/brokers',
      '/ssl',
    ]);
  });
});
