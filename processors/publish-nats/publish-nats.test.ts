import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { configIssues, type ProcessorRunner, processorRunner } from '../../sdk/testing';
import { type NatsServerHandle, startNats } from '../../test/helpers/nats-server';
import PublishNATS from '.';

let nats: NatsServerHandle;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

async function started(config: object): Promise<ProcessorRunner> {
  const run = processorRunner(PublishNATS, { url: nats.url, ...config });
  await run.start();
  return run;
}

describe('PublishNATS core', () => {
  test('publishes content with attributes as headers, byte-exact, and records SEND', async () => {
    const sub = nc.subscribe('core.out', { max: 3 });
    await nc.flush();
    const run = await started({ subject: 'core.out', headerAttributes: '^(filename|order\\..*)$' });
    run.enqueue('{"a":1}', { filename: 'one.json', 'order.id': '7', secret: 'no' });
    run.enqueue(Buffer.from([0x00, 0xff, 0x80]));
    run.enqueue('');
    await run.trigger();
    const got = [];
    for await (const m of sub) got.push(m);
    expect(got.map((m) => Buffer.from(m.data).toString('hex'))).toEqual([
      Buffer.from('{"a":1}').toString('hex'),
      '00ff80',
      '',
    ]);
    expect(got[0]!.headers?.get('order.id')).toBe('7');
    expect(got[0]!.headers?.get('filename')).toBe('one.json');
    expect(got[0]!.headers?.has('secret')).toBe(false);
    expect(run.transferred('success')).toHaveLength(3);
    const sends = run.provenance().filter((e) => e.type === 'SEND');
    expect(sends.map((e) => e.transitUri)).toEqual(Array(3).fill(`nats://127.0.0.1:${nats.port}/core.out`));
    await run.stop();
  });

  test('attributes NATS cannot carry as headers are left out, the others still go', async () => {
    const sub = nc.subscribe('core.hdr', { max: 1 });
    await nc.flush();
    const run = await started({ subject: 'core.hdr' });
    run.enqueue('x', { 'has space': 'v', multi: 'line\nbreak', ok: 'yes' });
    await run.trigger();
    for await (const m of sub) {
      expect(m.headers?.get('ok')).toBe('yes');
      expect(m.headers?.has('has space')).toBe(false);
      expect(m.headers?.has('multi')).toBe(false);
    }
    await run.stop();
  });

  test('when the server is down the session rolls back (nothing lost) and succeeds after it returns', async () => {
    const run = await started({ subject: 'core.down', ackTimeout: '300ms' });
    await nats.kill();
    run.enqueue('survives');
    await expect(run.trigger()).rejects.toThrow(/did not confirm/);
    expect(run.input.depth().count).toBe(1);
    expect(run.transferred('success')).toHaveLength(0);
    await nats.restart();
    const other = await connect({ servers: nats.url });
    const sub = other.subscribe('core.down', { max: 1 });
    await other.flush();
    // The processor's connection reconnects by itself; retry until it is back.
    for (let i = 0; i < 50 && run.input.depth().count > 0; i++)
      await run.trigger().catch(() => new Promise((r) => setTimeout(r, 100)));
    for await (const m of sub) expect(Buffer.from(m.data).toString()).toBe('survives');
    expect(run.transferred('success')).toHaveLength(1);
    await other.close();
    await run.stop();
    await nc.close();
    nc = await connect({ servers: nats.url });
  });
});

describe('PublishNATS JetStream', () => {
  test('each message is acknowledged by the stream and deduplicated by FlowFile id', async () => {
    const run = await started({ mode: 'jetstream', stream: 'PUB', subject: 'pub.orders', createStream: true });
    const ffs = ['a', 'b', 'c'].map((c) => run.enqueue(c));
    await run.trigger();
    const ok = run.transferred('success');
    expect(ok.map((f) => f.attributes['nats.sequence'])).toEqual(['1', '2', '3']);
    expect(ok[0]!.attributes['nats.stream']).toBe('PUB');
    run.input.offer([ffs[0]!]); // the same FlowFile again, as after a crash between publish and commit
    await run.trigger();
    const jsm = await nc.jetstreamManager();
    expect((await jsm.streams.info('PUB')).state.messages).toBe(3);
    const stored = await jsm.streams.getMessage('PUB', { seq: 2 });
    expect(stored.string()).toBe('b');
    expect(
      run
        .provenance()
        .filter((e) => e.type === 'SEND')
        .at(-1)!.details,
    ).toMatch(/duplicate/);
    await run.stop();
  });

  test('a subject no stream captures goes to failure with the reason', async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'ONLY_A', subjects: ['a.>'] });
    const run = await started({ mode: 'jetstream', stream: 'ONLY_A', subject: 'b.x', ackTimeout: '500ms' });
    run.enqueue('nowhere');
    await run.trigger();
    expect(run.transferred('failure')[0]!.attributes['nats.error']).toBeTruthy();
    await run.stop();
  });

  test('a missing stream fails the start unless createStream; jetstream needs a stream name', async () => {
    const run = processorRunner(PublishNATS, { url: nats.url, mode: 'jetstream', stream: 'NOPE', subject: 'n.x' });
    await expect(run.start()).rejects.toThrow(/JetStream stream "NOPE"/);
    expect(configIssues(PublishNATS, { mode: 'jetstream' })).toEqual([
      { path: '/stream', message: 'is required in jetstream mode' },
    ]);
    expect(configIssues(PublishNATS, { subject: 'a.*' })[0]!.path).toBe('/subject');
  });
});
