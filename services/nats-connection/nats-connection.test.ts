import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ConsumeNATS from '../../processors/consume-nats';
import PublishNATS from '../../processors/publish-nats';
import { configIssues, type ProcessorRunner, processorRunner } from '../../sdk/testing';
import { type NatsServerHandle, startNats } from '../../test/helpers/nats-server';
import { freePort } from '../../test/helpers/ports';
import { waitFor } from '../../test/helpers/wait-for';
import { enableService, withServices } from '../broker-test-kit';
import NATSConnection, { type NatsConnectionService } from '.';

let nats: NatsServerHandle;
let monitorPort: number;

beforeAll(async () => {
  monitorPort = await freePort();
  nats = await startNats({ args: ['-m', String(monitorPort)] });
});

afterAll(async () => {
  await nats?.stop();
});

/** The clients nats-server's monitoring endpoint lists, by name. */
async function connz(): Promise<string[]> {
  const res = await fetch(`http://127.0.0.1:${monitorPort}/connz`);
  const body = (await res.json()) as { num_connections: number; connections?: { name?: string }[] };
  expect(body.connections ?? []).toHaveLength(body.num_connections);
  return (body.connections ?? []).map((c) => c.name ?? '');
}

async function receive(run: ProcessorRunner, n: number): Promise<string[]> {
  await waitFor(async () => {
    await run.trigger();
    return run.transferred('success').length >= n;
  }, `${n} FlowFiles`);
  return run.transferred('success').map((f) => f.content.toString());
}

describe('NATSConnection against a real nats-server', () => {
  test('core and JetStream processors share one connection; disabling after they stopped closes it', async () => {
    expect(await connz()).toEqual([]);
    const service = await enableService(NATSConnection, { url: nats.url }, 'nats');
    const connection = { service: 'nats' };
    const runs = [
      processorRunner(withServices(ConsumeNATS, [service]), { connection, subject: 'orders.*' }),
      processorRunner(withServices(PublishNATS, [service]), { connection, subject: 'orders.eu' }),
      processorRunner(withServices(ConsumeNATS, [service]), {
        connection,
        mode: 'jetstream',
        stream: 'SHARED',
        subject: 'shared.js',
        durable: 'shared-consumer',
        createStream: true,
      }),
      processorRunner(withServices(PublishNATS, [service]), {
        connection,
        mode: 'jetstream',
        stream: 'SHARED',
        subject: 'shared.js',
      }),
    ];
    const [consumeCore, publishCore, consumeJs, publishJs] = runs as [
      ProcessorRunner,
      ProcessorRunner,
      ProcessorRunner,
      ProcessorRunner,
    ];
    try {
      for (const run of runs) await run.start();
      expect(await connz()).toEqual(['sluice test-flow/service nats']);

      publishCore.enqueue('core message');
      await publishCore.trigger();
      expect(publishCore.transferred('success')).toHaveLength(1);
      expect(await receive(consumeCore, 1)).toEqual(['core message']);
      expect(consumeCore.transferred('success')[0]!.attributes['nats.subject']).toBe('orders.eu');

      publishJs.enqueue('stored message');
      await publishJs.trigger();
      expect(publishJs.transferred('success')[0]!.attributes['nats.stream']).toBe('SHARED');
      expect(await receive(consumeJs, 1)).toEqual(['stored message']);
      // Acknowledged over the shared connection: the durable consumer has nothing pending.
      const jsm = await (service.instance as NatsConnectionService).connection.jetstreamManager();
      await waitFor(
        async () => (await jsm.consumers.info('SHARED', 'shared-consumer')).num_ack_pending === 0,
        'the ack',
      );

      // A stopped consumer unsubscribed; the connection stays for the others.
      await consumeCore.stop();
      publishCore.enqueue('nobody listens');
      await publishCore.trigger();
      expect(publishCore.transferred('success')).toHaveLength(2);
      for (const run of runs) await run.stop();
      expect(await connz()).toEqual(['sluice test-flow/service nats']);
    } finally {
      for (const run of runs) await run.stop();
      await service.disable();
    }
    await waitFor(async () => (await connz()).length === 0, 'the connection closed');
  });

  test('token authentication from an environment reference; a refused or unreachable server fails enable without the secret', async () => {
    const secured = await startNats({ args: ['--auth', 'tok-3n1gma'] });
    try {
      process.env.SLUICE_TEST_NATS_TOKEN = 'tok-3n1gma';
      const ok = await enableService(NATSConnection, { url: secured.url, token: `\${SLUICE_TEST_NATS_TOKEN}` });
      expect(ok.instance.connection.isClosed()).toBe(false);
      await ok.disable();
      process.env.SLUICE_TEST_NATS_TOKEN = 'wrong-t0ken';
      const refused = await enableService(NATSConnection, {
        url: secured.url,
        token: `\${SLUICE_TEST_NATS_TOKEN}`,
      }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(refused?.message).toMatch(new RegExp(`^cannot connect to nats://127\\.0\\.0\\.1:${secured.port}: `));
      expect(refused?.message).not.toContain('wrong-t0ken');
    } finally {
      await secured.stop();
    }
    process.env.SLUICE_TEST_NATS_PASSWORD = 'hunter2-nats';
    const unreachable = await enableService(NATSConnection, {
      url: 'nats://app@127.0.0.1:1',
      username: 'app',
      password: `\${SLUICE_TEST_NATS_PASSWORD}`,
    }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(unreachable?.message).toMatch(/^cannot connect to nats:\/\/127\.0\.0\.1:1: /);
    expect(unreachable?.message).not.toContain('hunter2-nats');
  });
});

describe('NATS processors and service config', () => {
  test('an inline url next to a service reference is an issue at /url', () => {
    const connection = { service: 'nats' };
    expect(configIssues(ConsumeNATS, { connection, subject: 'a' })).toEqual([]);
    expect(configIssues(PublishNATS, { connection, url: 'nats://elsewhere:4222' })).toEqual([
      { path: '/url', message: expect.stringContaining('"connection" references service "nats"') },
    ]);
  });

  test('a token and a user together, or a password without a user, are issues', () => {
    const issues = (config: object) =>
      NATSConnection.validate!(
        { url: 'nats://h:4222', username: '', password: '', token: '', tls: false, ...config },
        {
          allowedDirs: [],
          authenticated: false,
        },
      ).map((i) => i.path);
    expect(issues({ username: 'app', token: '#{t}' })).toEqual(['/token']);
    expect(issues({ password: '#{p}' })).toEqual(['/username']);
    expect(issues({ url: 'nats://app:plain@h:4222' })).toEqual(['/url']);
    expect(issues({ username: 'app', password: '#{p}' })).toEqual([]);
  });
});
