import kafkajs, { type Producer } from 'kafkajs';
import { defineProcessor, duration, failWith, serviceReference } from '../../sdk';
import type { KafkaConnectionService } from '../../services/kafka-connection';
import { checkInlineSettingsAbsent, sharedConnection } from '../connection-settings';
import { type CompiledExpression, checkExpressions, compileExpression, toAttributeValue } from '../expressions';
import {
  checkKafkaConnection,
  createKafka,
  kafkaClientConfig,
  kafkaConnectionProperties,
  kafkaUri,
} from '../kafka-connect';
import { recordOf } from '../kafka-messages';
import { checkHeaderPattern, compileHeaderPattern, headerProperties } from '../message-headers';

const config = {
  type: 'object',
  additionalProperties: false,
  properties: {
    connection: serviceReference(
      'kafka-connection',
      'The KafkaConnection service to use instead of the inline settings.',
    ),
    ...kafkaConnectionProperties,
    topic: { type: 'string', minLength: 1, default: 'sluice', description: 'Topic to publish to.' },
    keyExpression: {
      type: 'string',
      default: '',
      description: 'JSONata over {attributes, content} giving the record key (empty = no key: partitions in turn).',
    },
    batchSize: {
      type: 'integer',
      minimum: 1,
      maximum: 10000,
      default: 100,
      description: 'FlowFiles per session, sent as one produce request.',
    },
    requestTimeout: duration('How long the leaders may take to acknowledge (acks=all) before the send fails.', '30s'),
    ...headerProperties('kafka.header.'),
  },
} as const;

interface State {
  producer: Producer;
  /** `producer` is the KafkaConnection service's, shared by its publishers: never disconnected here. */
  shared?: boolean;
  uri: string;
  key?: CompiledExpression;
  headerPattern?: RegExp;
  timeoutMs: number;
}

/**
 * A produce error that is the brokers' verdict on these records (a non-retriable protocol error such as
 * MESSAGE_TOO_LARGE or TOPIC_AUTHORIZATION_FAILED, possibly wrapped by kafkajs's retrier) sends them to
 * failure; anything else (connection, timeout, retries exhausted on a retriable error) rolls back to retry.
 */
// kafkajs is CommonJS: under Node's ESM loader only its default export is visible.
const { KafkaJSError, KafkaJSProtocolError } = kafkajs;

export function isVerdict(err: unknown): boolean {
  if (!(err instanceof KafkaJSError) || err.name === 'KafkaJSNumberOfRetriesExceeded') return false;
  const cause = (err as { cause?: unknown }).cause ?? err;
  return cause instanceof KafkaJSProtocolError && !cause.retriable;
}

export default defineProcessor({
  type: 'PublishKafka',
  category: 'messaging',
  description:
    'Publishes each FlowFile as a Kafka record (optional key, attributes as headers) with acks=all: success once every in-sync replica has it, failure when the brokers refuse it. Not run against a Kafka broker here.',
  input: 'required',
  config,
  relationships: [
    { name: 'success', description: 'Acknowledged by all in-sync replicas.' },
    { name: 'failure', description: 'Refused by the brokers; "kafka.error" says why.' },
  ],
  validate(cfg) {
    const issues = [
      ...checkInlineSettingsAbsent(cfg, kafkaConnectionProperties),
      ...checkKafkaConnection(cfg),
      ...checkHeaderPattern('/headerAttributes', cfg.headerAttributes),
    ];
    if (cfg.keyExpression !== '') issues.push(...checkExpressions([['/keyExpression', cfg.keyExpression]]));
    return issues;
  },
  async setup(cfg, ctx): Promise<State> {
    const common = {
      key: cfg.keyExpression !== '' ? compileExpression(cfg.keyExpression) : undefined,
      headerPattern: compileHeaderPattern(cfg.headerAttributes),
      timeoutMs: cfg.requestTimeout,
    };
    if (cfg.connection) {
      const shared = sharedConnection<KafkaConnectionService>(ctx, cfg.connection, 'kafka-connection');
      return { producer: await shared.producer(), shared: true, uri: shared.uri, ...common };
    }
    const uri = kafkaUri(kafkaClientConfig(cfg, ctx.logger).brokers as string[]);
    const producer = createKafka(cfg, ctx.logger).producer({
      allowAutoTopicCreation: false,
      retry: { retries: cfg.retries },
    });
    try {
      await producer.connect();
    } catch (err) {
      await producer.disconnect().catch(() => {});
      throw new Error(`cannot connect to ${uri}: ${(err as Error).message}`);
    }
    return { producer, shared: false, uri, ...common };
  },
  async onTrigger(session, { state, config: cfg }) {
    const batch = await session.get(cfg.batchSize);
    if (batch.length === 0) return;
    const messages = [];
    for (const ff of batch) {
      const key = state.key ? toAttributeValue(await state.key.evaluate(ff)) : undefined;
      messages.push(recordOf(ff, key, cfg.headerPrefix, state.headerPattern));
    }
    try {
      await state.producer.send({ topic: cfg.topic, messages, acks: -1, timeout: state.timeoutMs });
    } catch (err) {
      if (!isVerdict(err)) throw err;
      for (const ff of batch) failWith(session, ff, 'kafka.error', err);
      return;
    }
    for (const ff of batch) {
      session.reportSend(ff, `${state.uri}/${cfg.topic}`);
      session.transfer(ff, 'success');
    }
  },
  async teardown(state) {
    if (!state.shared) await state.producer.disconnect();
  },
});
