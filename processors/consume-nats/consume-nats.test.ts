import { connect, headers, type NatsConnection } from 'nats';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { configIssues, failingAfterTrigger, type ProcessorRunner, processorRunner } from '../../sdk/testing';
import { type NatsServerHandle, startNats } from '../../test/helpers/nats-server';
import ConsumeNATS from '.';

let nats: NatsServerHandle;
let nc: NatsConnection;
const runners: ProcessorRunner[] = [];

beforeAll(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
});

afterEach(async () => {
  for (const r of runners.splice(0)) await r.stop();
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

async function started(config: object, definition: typeof ConsumeNATS = ConsumeNATS): Promise<ProcessorRunner> {
  const run = processorRunner(definition, { url: nats.url, ...config });
  runners.push(run);
  await run.start();
  return run;
}

/** Waits until the processor has signalled `n` arrivals. */
async function arrivals(run: ProcessorRunner, n: number): Promise<void> {
  while (run.wakes < n) await run.nextWake();
}

async function consumerInfo(stream: string, durable: string) {
  return (await nc.jetstreamManager()).consumers.info(stream, durable);
}

describe('ConsumeNATS core', () => {
  test('messages become FlowFiles with headers as attributes and a RECEIVE event', async () => {
    const run = await started({ subject: 'core.in.>' });
    const h = headers();
    h.set('order.id', '9');
    nc.publish('core.in.eu', Buffer.from('{"x":1}'), { headers: h });
    nc.publish('core.in.us', Buffer.from([0xff, 0x00]));
    nc.publish('core.in.us', new Uint8Array(0));
    await arrivals(run, 3);
    await run.trigger();
    const ffs = run.transferred('success');
    expect(ffs.map((f) => f.content.toString('hex'))).toEqual([Buffer.from('{"x":1}').toString('hex'), 'ff00', '']);
    expect(ffs[0]!.attributes).toMatchObject({ 'order.id': '9', 'nats.subject': 'core.in.eu' });
    expect(ffs[1]!.attributes['nats.subject']).toBe('core.in.us');
    const receive = run.provenance().filter((e) => e.type === 'RECEIVE');
    expect(receive).toHaveLength(3);
    expect(receive[0]!.transitUri).toBe(`nats://127.0.0.1:${nats.port}/core.in.>`);
  });

  test('while the flow is backpressured at most maxBuffered messages are held; the excess is dropped and logged', async () => {
    const run = await started({ subject: 'core.bp', maxBuffered: 2, batchSize: 10 });
    await run.trigger();
    run.backPressured = true;
    for (let i = 0; i < 5; i++) nc.publish('core.bp', Buffer.from(String(i)));
    await nc.flush();
    await arrivals(run, 2);
    await new Promise((r) => setTimeout(r, 100));
    run.backPressured = false;
    await run.trigger();
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual(['0', '1']);
    expect(run.logs.some((l) => l.level === 'warn' && /dropped/.test(l.msg ?? ''))).toBe(true);
  });
});

describe('ConsumeNATS JetStream', () => {
  test('consumes through a durable consumer and acknowledges only after the commit', async () => {
    const js = nc.jetstream();
    const run = await started({
      mode: 'jetstream',
      stream: 'CONS',
      subject: 'cons.>',
      durable: 'sluice',
      createStream: true,
    });
    const h = headers();
    h.set('tenant', 'acme');
    for (const body of ['a', 'b', 'c']) await js.publish('cons.orders', Buffer.from(body), { headers: h });
    await arrivals(run, 3);
    const before = await consumerInfo('CONS', 'sluice');
    expect(before.num_ack_pending).toBe(3);
    await run.trigger();
    const ffs = run.transferred('success');
    expect(ffs.map((f) => f.content.toString())).toEqual(['a', 'b', 'c']);
    expect(ffs[2]!.attributes).toMatchObject({
      tenant: 'acme',
      'nats.subject': 'cons.orders',
      'nats.stream': 'CONS',
      'nats.sequence': '3',
      'nats.redelivered': 'false',
    });
    const after = await consumerInfo('CONS', 'sluice');
    expect(after.num_ack_pending).toBe(0);
    expect(after.num_pending).toBe(0);
  });

  test('a rolled back session naks: the messages come again, marked redelivered', async () => {
    let fail = true;
    const Failing = failingAfterTrigger(ConsumeNATS, () => fail, 'downstream failure');
    const js = nc.jetstream();
    const run = await started(
      { mode: 'jetstream', stream: 'NAK', subject: 'nak.x', durable: 'd', createStream: true },
      Failing,
    );
    await js.publish('nak.x', Buffer.from('again'));
    await arrivals(run, 1);
    await expect(run.trigger()).rejects.toThrow('downstream failure');
    fail = false;
    await arrivals(run, 2);
    await run.trigger();
    const [ff] = run.transferred('success');
    expect(ff!.content.toString()).toBe('again');
    expect(ff!.attributes['nats.redelivered']).toBe('true');
    expect((await consumerInfo('NAK', 'd')).num_ack_pending).toBe(0);
  });

  test('backpressure stops the pulling: messages wait in the stream, then flow when it clears', async () => {
    const js = nc.jetstream();
    const run = await started({
      mode: 'jetstream',
      stream: 'BP',
      subject: 'bp.x',
      durable: 'd',
      createStream: true,
      batchSize: 2,
    });
    await run.trigger();
    run.backPressured = true;
    for (let i = 0; i < 6; i++) await js.publish('bp.x', Buffer.from(String(i)));
    // At most the one pull already outstanding is delivered; after it expires nothing more is pulled.
    await new Promise((r) => setTimeout(r, 1500));
    const held = await consumerInfo('BP', 'd');
    expect(held.num_pending).toBeGreaterThanOrEqual(4);
    run.backPressured = false;
    for (let i = 0; i < 100 && run.transferred('success').length < 6; i++) {
      await run.trigger();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  test('the durable consumer remembers: after a stop, a new start gets only what is new', async () => {
    const js = nc.jetstream();
    const config = { mode: 'jetstream', stream: 'DUR', subject: 'dur.x', durable: 'keep', createStream: true };
    const first = await started(config);
    await js.publish('dur.x', Buffer.from('old'));
    await arrivals(first, 1);
    await first.trigger();
    await first.stop();
    await js.publish('dur.x', Buffer.from('new'));
    const second = await started(config);
    await arrivals(second, 1);
    await second.trigger();
    expect(second.transferred('success').map((f) => f.content.toString())).toEqual(['new']);
  });

  test('jetstream needs a stream and a durable name; a missing stream fails the start', async () => {
    expect(configIssues(ConsumeNATS, { mode: 'jetstream' })).toEqual([
      { path: '/stream', message: 'is required in jetstream mode' },
      { path: '/durable', message: 'is required in jetstream mode' },
    ]);
    const run = processorRunner(ConsumeNATS, { url: nats.url, mode: 'jetstream', stream: 'MISSING', durable: 'd' });
    await expect(run.start()).rejects.toThrow(/JetStream stream "MISSING"/);
  });
});
