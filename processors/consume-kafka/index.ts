import type { Consumer } from 'kafkajs';
import { defineProcessor, type ProcessSession, serviceReference } from '../../sdk';
import type { KafkaConnectionService } from '../../services/kafka-connection';
import { checkInlineSettingsAbsent, sharedConnection } from '../connection-settings';
import {
  checkKafkaConnection,
  createKafka,
  kafkaClientConfig,
  kafkaConnectionProperties,
  kafkaUri,
} from '../kafka-connect';
import { recordAttributes } from '../kafka-messages';
import { consumerHeaderProperties } from '../message-headers';
import { Inbox } from '../message-inbox';
import { BatchBridge, type Record } from './batch-bridge';

export interface ConsumeKafkaState {
  inbox: Inbox<Record>;
  bridge: BatchBridge;
  uri: string;
  consumer?: Consumer;
}

const config = {
  type: 'object',
  additionalProperties: false,
  properties: {
    connection: serviceReference(
      'kafka-connection',
      'The KafkaConnection service to use instead of the inline settings.',
    ),
    ...kafkaConnectionProperties,
    topics: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', minLength: 1 },
      default: ['sluice'],
      description: 'Topics to consume.',
    },
    groupId: {
      type: 'string',
      default: '',
      description: 'Consumer group; empty = "sluice-<flow>-<processor>". Processes in one group share the partitions.',
    },
    fromBeginning: {
      type: 'boolean',
      default: false,
      description: 'A group with no committed offset starts at the earliest record (true) or only new ones (false).',
    },
    batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'Records per session.' },
    maxBytesPerPartition: {
      type: 'integer',
      minimum: 1024,
      default: 1048576,
      description:
        'Most bytes fetched per partition at a time: with one batch waiting per partition, this bounds memory.',
    },
    ...consumerHeaderProperties('kafka.header.'),
  },
} as const;

/** Turns a batch of records into FlowFiles; offsets are committed only once the session has. */
export function receiveRecords(
  session: ProcessSession,
  state: ConsumeKafkaState,
  records: Record[],
  headerPrefix: string,
): void {
  for (const r of records) {
    const ff = session.create({
      content: r.message.value ?? Buffer.alloc(0),
      attributes: recordAttributes(r.topic, r.partition, r.message, headerPrefix),
    });
    session.reportReceive(ff, `${state.uri}/${r.topic}/${r.partition}`, `offset ${r.message.offset}`);
    session.transfer(ff, 'success');
  }
  session.afterCommit(() => state.bridge.committed(records));
  session.afterRollback(() => state.inbox.putBack(records.filter((r) => !r.batch.abandoned)));
}

export default defineProcessor({
  type: 'ConsumeKafka',
  category: 'messaging',
  description:
    'Consumes Kafka topics in a consumer group, one FlowFile per record (key, headers, partition and offset as attributes); offsets are committed only after the session that received the records commits (at-least-once). Not run against a Kafka broker here.',
  input: 'forbidden',
  config,
  relationships: [{ name: 'success', description: 'Every consumed record.' }],
  validate: (cfg) => [...checkInlineSettingsAbsent(cfg, kafkaConnectionProperties), ...checkKafkaConnection(cfg)],
  async setup(cfg, ctx) {
    // With a KafkaConnection service the consumer is made from its client (a group member of its own).
    const shared = cfg.connection
      ? sharedConnection<KafkaConnectionService>(ctx, cfg.connection, 'kafka-connection')
      : undefined;
    const inbox = new Inbox<Record>(ctx.wake);
    const state: ConsumeKafkaState = {
      inbox,
      bridge: new BatchBridge(inbox),
      uri: shared ? shared.uri : kafkaUri(kafkaClientConfig(cfg, ctx.logger).brokers as string[]),
    };
    const consumer = (shared ? shared.kafka : createKafka(cfg, ctx.logger)).consumer({
      groupId: cfg.groupId || `sluice-${ctx.flowId}-${ctx.processorId}`,
      maxBytesPerPartition: cfg.maxBytesPerPartition,
      retry: { retries: shared ? shared.retries : cfg.retries },
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: cfg.topics, fromBeginning: cfg.fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => state.bridge.handle(payload),
      });
    } catch (err) {
      await consumer.disconnect().catch(() => {});
      throw new Error(`cannot consume from ${state.uri}: ${(err as Error).message}`);
    }
    state.consumer = consumer;
    return state;
  },
  onTrigger(session, { state, config: cfg }) {
    const records = state.inbox.take(cfg.batchSize);
    if (records.length > 0) receiveRecords(session, state, records, cfg.headerPrefix);
  },
  async teardown(state) {
    // Records not committed by a session keep their offsets uncommitted: the group reads them again.
    await state.consumer?.disconnect();
  },
});
