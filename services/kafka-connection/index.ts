/**
 * KafkaConnection: one kafkajs client shared by the ConsumeKafka and PublishKafka processors that reference it.
 * kafkajs opens broker connections per producer and per consumer, not per client: the service keeps ONE
 * producer, connected on first use and shared by every PublishKafka; each ConsumeKafka still runs its own
 * consumer (a consumer group member is one consumer) made from the shared client.
 * Not run against a Kafka broker here (none can be installed on the machine this was built on).
 */
import type { Kafka, Producer } from 'kafkajs';
import {
  checkKafkaConnection,
  createKafka,
  type KafkaConnectionConfig,
  kafkaClientConfig,
  kafkaConnectionProperties,
  kafkaUri,
} from '../../processors/kafka-connect';
import { defineService, type ProcessorLogger } from '../../sdk';

export const KAFKA_CONNECTION = 'kafka-connection';

export interface KafkaConnectionService {
  /** The shared client: `kafka.consumer({...})` for a consumer of one's own. */
  readonly kafka: Kafka;
  /** The brokers, e.g. kafka://b1:9092,b2:9092. */
  readonly uri: string;
  /** Retries of a failed request (the service's setting), for the consumers made from `kafka`. */
  readonly retries: number;
  /** The service's producer, connected on first use; shared: never disconnect it. */
  producer(): Promise<Producer>;
}

export class SharedKafkaClient implements KafkaConnectionService {
  readonly kafka: Kafka;
  readonly uri: string;
  readonly retries: number;
  private connecting?: Promise<Producer>;
  private disabled = false;

  constructor(config: KafkaConnectionConfig, logger: ProcessorLogger) {
    this.uri = kafkaUri(kafkaClientConfig(config, logger).brokers as string[]);
    this.kafka = createKafka(config, logger);
    this.retries = config.retries;
  }

  producer(): Promise<Producer> {
    if (this.disabled) return Promise.reject(new Error(`the Kafka client for ${this.uri} is disabled`));
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({ allowAutoTopicCreation: false, retry: { retries: this.retries } });
      try {
        await producer.connect();
        return producer;
      } catch (err) {
        this.connecting = undefined;
        await producer.disconnect().catch(() => {});
        throw new Error(`cannot connect to ${this.uri}: ${(err as Error).message}`);
      }
    })();
    return this.connecting;
  }

  async close(): Promise<void> {
    this.disabled = true;
    const producer = await this.connecting?.catch(() => undefined);
    this.connecting = undefined;
    await producer?.disconnect().catch(() => {});
  }
}

export default defineService({
  type: 'KafkaConnection',
  description:
    'One Kafka client shared by every ConsumeKafka and PublishKafka that references it: the publishers share one producer, each consumer runs its own group member. Not run against a Kafka broker here.',
  provides: [KAFKA_CONNECTION],
  config: {
    type: 'object',
    additionalProperties: false,
    properties: kafkaConnectionProperties,
  },
  validate: (config) => checkKafkaConnection(config as KafkaConnectionConfig),
  enable: (config, ctx): KafkaConnectionService => new SharedKafkaClient(config as KafkaConnectionConfig, ctx.logger),
  async disable(instance) {
    await (instance as SharedKafkaClient).close();
  },
});
