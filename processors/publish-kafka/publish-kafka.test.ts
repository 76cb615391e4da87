/**
 * No Kafka broker can be installed where this was built: these tests cover the record mapping, the error
 * classification with kafkajs's own error classes, the routing it drives, config checks, and a start
 * against a port where nothing listens. PublishKafka was not run against a real broker.
 */
import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  type Producer,
  type ProducerRecord,
} from 'kafkajs';
import { describe, expect, test } from 'vitest';
import { configIssues, newFlowFile, processorRunner } from '../../sdk/testing';
import { recordAttributes, recordOf } from '../kafka-messages';
import PublishKafka, { isVerdict } from '.';

const protocolError = (type: string, code: number, retriable: boolean) =>
  new KafkaJSProtocolError({ message: type, type, code, retriable } as unknown as Error);

/** What kafkajs's retrier throws for a non-retriable error: a KafkaJSNonRetriableError with it as the cause. */
const wrap = (cause: Error) =>
  new (KafkaJSNonRetriableError as unknown as new (e: Error, o: { cause: Error }) => Error)(cause, { cause });

describe('PublishKafka records', () => {
  test('content, key and headers from prefixed and matching attributes', () => {
    const ff = newFlowFile('{"id":1}', { 'kafka.header.trace': 't-1', tenant: 'acme', other: 'x' });
    expect(recordOf(ff, 'order-1', 'kafka.header.', /^tenant$/)).toEqual({
      value: Buffer.from('{"id":1}'),
      key: 'order-1',
      headers: { trace: 't-1', tenant: 'acme' },
    });
    expect(recordOf(ff, undefined, 'kafka.header.', undefined)).toEqual({
      value: Buffer.from('{"id":1}'),
      headers: { trace: 't-1' },
    });
  });

  test('consumed headers come back as the same attributes (round trip of the mapping)', () => {
    const ff = newFlowFile('v', { 'kafka.header.a': '1', 'kafka.header.b': 'two' });
    const record = recordOf(ff, 'k', 'kafka.header.', undefined);
    const headers = Object.fromEntries(Object.entries(record.headers!).map(([k, v]) => [k, Buffer.from(String(v))]));
    const attrs = recordAttributes(
      't',
      0,
      { offset: '5', key: Buffer.from('k'), value: record.value, timestamp: '1', headers } as never,
      'kafka.header.',
    );
    expect(attrs).toMatchObject({ 'kafka.key': 'k', 'kafka.header.a': '1', 'kafka.header.b': 'two' });
  });
});

describe('PublishKafka error handling', () => {
  test("a non-retriable protocol error is the brokers' verdict; connection trouble and exhausted retries are not", () => {
    const tooLarge = protocolError('MESSAGE_TOO_LARGE', 10, false);
    expect(isVerdict(tooLarge)).toBe(true);
    expect(isVerdict(wrap(tooLarge))).toBe(true);
    const leader = protocolError('NOT_LEADER_FOR_PARTITION', 6, true);
    expect(isVerdict(new KafkaJSNumberOfRetriesExceeded(leader, { retryCount: 5, retryTime: 1000 } as never))).toBe(
      false,
    );
    expect(isVerdict(new KafkaJSConnectionError('Connection error: ECONNREFUSED'))).toBe(false);
    expect(isVerdict(new Error('anything else'))).toBe(false);
  });

  /** PublishKafka with its producer replaced by one whose send answers as given (kafkajs's Producer.send signature). */
  function runnerSending(send: (record: ProducerRecord) => Promise<unknown>) {
    const sent: ProducerRecord[] = [];
    const Offline: typeof PublishKafka = {
      ...PublishKafka,
      setup: () => ({
        producer: {
          send: (r: ProducerRecord) => {
            sent.push(r);
            return send(r);
          },
        } as unknown as Producer,
        uri: 'kafka://broker:9092',
        key: undefined,
        headerPattern: undefined,
        timeoutMs: 30_000,
      }),
      teardown: undefined,
    };
    return { run: processorRunner(Offline, { topic: 'orders' }), sent };
  }

  test('one produce request per session, acks=all; acknowledged → success with SEND provenance', async () => {
    const { run, sent } = runnerSending(async () => [{ topicName: 'orders', partition: 0, errorCode: 0 }]);
    run.enqueue('a');
    run.enqueue('b');
    await run.trigger();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ topic: 'orders', acks: -1, timeout: 30_000 });
    expect(sent[0]!.messages.map((m) => String(m.value))).toEqual(['a', 'b']);
    expect(run.transferred('success')).toHaveLength(2);
    expect(run.provenance().filter((e) => e.type === 'SEND')[0]!.transitUri).toBe('kafka://broker:9092/orders');
  });

  test('a verdict sends the batch to failure with the reason; a connection error rolls the session back', async () => {
    const refused = runnerSending(async () => {
      // As kafkajs's retrier wraps a non-retriable error (src/retry/index.js): the protocol error is the cause.
      const cause = protocolError('TOPIC_AUTHORIZATION_FAILED', 29, false);
      throw wrap(cause);
    });
    refused.run.enqueue('a');
    await refused.run.trigger();
    expect(refused.run.transferred('failure')[0]!.attributes['kafka.error']).toBe('TOPIC_AUTHORIZATION_FAILED');

    const down = runnerSending(async () => {
      throw new KafkaJSConnectionError('Connection error: connect ECONNREFUSED');
    });
    down.run.enqueue('a');
    await expect(down.run.trigger()).rejects.toThrow('ECONNREFUSED');
    expect(down.run.input.depth().count).toBe(1);
  });
});

describe('PublishKafka config and start', () => {
  test('needs a topic; checks the key expression, header regex and timeout', () => {
    expect(configIssues(PublishKafka, { topic: '' })[0]!.path).toBe('/topic');
    expect(
      configIssues(PublishKafka, { topic: 't', keyExpression: '(', headerAttributes: '[', requestTimeout: 'x' }).map(
        (i) => i.path,
      ),
    ).toEqual(['/headerAttributes', '/keyExpression', '/requestTimeout']);
  });

  test('with no broker at the address, the start fails and names it', async () => {
    const run = processorRunner(PublishKafka, {
      topic: 't',
      brokers: ['127.0.0.1:1'],
      retries: 0,
      connectionTimeout: 500,
    });
    await expect(run.start()).rejects.toThrow(/^cannot connect to kafka:\/\/127\.0\.0\.1:1: /);
  });
});
