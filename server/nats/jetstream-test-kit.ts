/** Test helpers for JetStream back-end tests: a resolved connection spec and a backend on a test server. */
import type { ResolvedConnection } from '../../flows/flow-schema';
import { NatsBackend, type NatsBackendOptions } from './nats-backend';

export function connectionSpec(id: string, overrides: Partial<ResolvedConnection> = {}): ResolvedConnection {
  return {
    id,
    source: 'a',
    target: 'b',
    relationships: ['success'],
    backPressure: { objects: 10_000, bytes: '1 GB' },
    expiration: '0s',
    prioritizer: 'fifo',
    ...overrides,
  };
}

export function openBackend(url: string, options: Partial<NatsBackendOptions> = {}): Promise<NatsBackend> {
  return NatsBackend.open({ url, ackWaitMs: 5000, provenance: false, ...options });
}
