import { afterAll, beforeAll, describe } from 'vitest';
import { type NatsServerHandle, startNats } from '../../test/helpers/nats-server';
import { queueContract } from '../storage/queue-contract';
import { connectionSpec, openBackend } from './jetstream-test-kit';
import type { NatsBackend } from './nats-backend';

describe('JetStreamQueue: the queue contract (real nats-server)', () => {
  let nats: NatsServerHandle;
  let backend: NatsBackend;
  let n = 0;

  beforeAll(async () => {
    nats = await startNats();
    backend = await openBackend(nats.url);
  });

  afterAll(async () => {
    await backend?.close();
    await nats?.stop();
  });

  queueContract(() => ({
    make: async () => {
      n++;
      const queue = backend.createQueue(`contract${n}`, connectionSpec(`c${n}`));
      await queue.ready();
      return queue;
    },
  }));
});
