/**
 * No Kafka broker can be installed where this was built, so these tests drive what does not need one:
 * the eachBatch bridge through kafkajs's own payload interface, the processor's sessions, config checks,
 * and a start against a port where nothing listens. Nothing here pretends to be a broker.
 */
import type { Batch, KafkaMessage, Offsets } from 'kafkajs';
import { describe, expect, test } from 'vitest';
import { configIssues, processorRunner } from '../../sdk/testing';
import { waitFor } from '../../test/helpers/wait-for';
import { Inbox } from '../message-inbox';
import ConsumeKafka, { type ConsumeKafkaState } from '.';
import { BatchBridge, type BatchPayload, type Record } from './batch-bridge';

function message(offset: number, value: string, extra: Partial<KafkaMessage> = {}): KafkaMessage {
  return {
    offset: String(offset),
    key: Buffer.from(`k${offset}`),
    value: Buffer.from(value),
    timestamp: '1700000000000',
    attributes: 0,
    headers: { trace: Buffer.from(`t${offset}`) },
    size: 0,
    ...extra,
  } as unknown as KafkaMessage;
}

/** The calls the bridge makes on kafkajs's eachBatch payload, in order. */
function payload(topic: string, partition: number, messages: KafkaMessage[], opts: { stale?: () => boolean } = {}) {
  const calls: string[] = [];
  const commits: Offsets[] = [];
  const p: BatchPayload = {
    batch: { topic, partition, messages } as unknown as Batch,
    resolveOffset: (offset) => calls.push(`resolve ${offset}`),
    heartbeat: async () => {
      calls.push('heartbeat');
    },
    commitOffsetsIfNecessary: async (offsets) => {
      calls.push('commit');
      if (offsets) commits.push(offsets);
    },
    isRunning: () => true,
    isStale: () => opts.stale?.() ?? false,
  };
  return { p, calls, commits };
}

/** ConsumeKafka with its network part replaced: the state a started processor has, fed by the bridge. */
function runnerWithBridge(config: object = {}, failWhile: () => boolean = () => false) {
  let state!: ConsumeKafkaState;
  const Offline: typeof ConsumeKafka = {
    ...ConsumeKafka,
    async onTrigger(session, ctx) {
      await ConsumeKafka.onTrigger(session, ctx);
      if (failWhile()) throw new Error('downstream trouble');
    },
    setup: (_cfg, ctx) => {
      const inbox = new Inbox<Record>(ctx.wake);
      state = { inbox, bridge: new BatchBridge(inbox, 20), uri: 'kafka://broker:9092' };
      return state;
    },
    teardown: undefined,
  };
  const run = processorRunner(Offline, { topics: ['orders'], ...config });
  return { run, state: () => state };
}

describe('ConsumeKafka: offsets are committed only after the session commits', () => {
  test('a batch becomes FlowFiles; its offset is committed after the commit, never before', async () => {
    const { run, state } = runnerWithBridge();
    await run.start();
    const { p, calls, commits } = payload('orders', 3, [message(41, 'a'), message(42, 'b')]);
    let handled = false;
    const handling = state()
      .bridge.handle(p)
      .then(() => {
        handled = true;
      });
    await waitFor(() => calls.includes('heartbeat'), 'the bridge to wait');
    expect(calls.filter((c) => c !== 'heartbeat')).toEqual([]);
    await run.trigger();
    await handling;
    expect(handled).toBe(true);
    expect(calls.filter((c) => c !== 'heartbeat')).toEqual(['resolve 41', 'resolve 42', 'commit']);
    expect(commits).toEqual([{ topics: [{ topic: 'orders', partitions: [{ partition: 3, offset: '43' }] }] }]);
    const ffs = run.transferred('success');
    expect(ffs.map((f) => f.content.toString())).toEqual(['a', 'b']);
    expect(ffs[0]!.attributes).toMatchObject({
      'kafka.topic': 'orders',
      'kafka.partition': '3',
      'kafka.offset': '41',
      'kafka.key': 'k41',
      'kafka.timestamp': '1700000000000',
      'kafka.header.trace': 't41',
    });
    expect(run.provenance().filter((e) => e.type === 'RECEIVE')[0]!.transitUri).toBe('kafka://broker:9092/orders/3');
  });

  test('a rollback commits nothing and gives the records to the next session', async () => {
    let fail = true;
    const { run, state } = runnerWithBridge({ batchSize: 1 }, () => fail);
    await run.start();
    const { p, calls } = payload('orders', 0, [message(7, 'x'), message(8, 'y')]);
    const handling = state().bridge.handle(p);
    await expect(run.trigger()).rejects.toThrow('downstream trouble');
    fail = false;
    await run.trigger(); // x, the rolled-back record, comes first
    expect(calls).not.toContain('commit');
    await run.trigger(); // y: now the whole batch is committed
    await handling;
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual(['x', 'y']);
    expect(calls.filter((c) => c !== 'heartbeat')).toEqual(['resolve 7', 'resolve 8', 'commit']);
  });

  test('a rebalance abandons the waiting batch: no commit, the new owner reads it again', async () => {
    const { run, state } = runnerWithBridge();
    await run.start();
    let stale = false;
    const { p, calls } = payload('orders', 1, [message(1, 'a')], { stale: () => stale });
    const handling = state().bridge.handle(p);
    await waitFor(() => calls.includes('heartbeat'), 'the bridge to wait');
    stale = true;
    await handling;
    expect(state().inbox.size).toBe(0);
    await run.trigger();
    expect(run.transferred('success')).toHaveLength(0);
    expect(calls).not.toContain('commit');
  });
});

describe('ConsumeKafka config and start', () => {
  test('checks brokers, topics and SASL credentials', () => {
    expect(configIssues(ConsumeKafka, { topics: ['t'], brokers: ['kafka1'] })).toEqual([
      { path: '/brokers/0', message: 'expected host:port, got "kafka1"' },
    ]);
    expect(configIssues(ConsumeKafka, { topics: [] })[0]!.path).toBe('/topics');
    expect(
      configIssues(ConsumeKafka, { topics: ['t'], saslMechanism: 'plain', saslUsername: 'app', saslPassword: 'pw' }),
    ).toEqual([{ path: '/saslPassword', message: expect.stringContaining('environment variable') }]);
    expect(configIssues(ConsumeKafka, { topics: ['t'], saslMechanism: 'scram-sha-256' })).toEqual([
      { path: '/saslUsername', message: 'SASL scram-sha-256 needs a user name' },
    ]);
    expect(configIssues(ConsumeKafka, { topics: ['t'], brokers: [`\${KAFKA_BROKER:-localhost:9092}`] })).toEqual([]);
  });

  test('with no broker at the address, the start fails and names it', async () => {
    const run = processorRunner(ConsumeKafka, {
      topics: ['t'],
      brokers: ['127.0.0.1:1'],
      retries: 0,
      connectionTimeout: 500,
    });
    await expect(run.start()).rejects.toThrow(/^cannot consume from kafka:\/\/127\.0\.0\.1:1: /);
  });
});
