/**
 * The NATS back end for benchmarks: a fresh nats-server (JetStream, temporary store) and a Sluice NATS back end
 * on it; `engineOptions` plug into FlowEngine, `close` stops both. `bench/scenario.ts <name> nats` uses it.
 */
import type { EngineOptions } from '../server/engine/flow-engine';
import { NatsBackend } from '../server/nats/nats-backend';
import { startNats } from '../test/helpers/nats-server';

export async function natsBackend(options: { provenance?: boolean } = {}): Promise<{
  backend: NatsBackend;
  engineOptions: EngineOptions;
  /** FlowFiles per published message so far, over every queue. */
  flowFilesPerMessage: () => number;
  close: () => Promise<void>;
}> {
  const server = await startNats();
  const backend = await NatsBackend.open({
    url: server.url,
    provenance: options.provenance === false ? false : undefined,
  });
  await backend.ready();
  return {
    backend,
    engineOptions: {
      queueFactory: backend.queueFactory,
      commitWriter: backend.commitWriter,
      ...(backend.provenance && { provenance: backend.provenance }),
      backendStatus: () => backend.status(),
    },
    flowFilesPerMessage: () => backend.flowFilesPerMessage(),
    close: async () => {
      await backend.close();
      await server.stop();
    },
  };
}
