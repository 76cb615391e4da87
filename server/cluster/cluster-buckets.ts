/**
 * The JetStream KV buckets of cluster mode, shared by the server and every worker:
 *
 * | bucket | keys | what |
 * | --- | --- | --- |
 * | `sluice_flows` | `flows.<flowId>`, `state.<flowId>` | flow definitions (JSON) and their running state |
 * | `sluice_workers` | `<worker name>` | each worker's last report (counters, depths, primary), TTL 5 min |
 * | `sluice_leases` | `primary` | the primary worker's lease; the bucket TTL is the lease TTL |
 *
 * A bucket that exists already is used as it is (its replicas and TTL were set by whoever created it).
 */
import type { KV } from 'nats';
import type { NatsLink } from '../nats/nats-link';

export const FLOWS_BUCKET = 'sluice_flows';
export const WORKERS_BUCKET = 'sluice_workers';
export const LEASES_BUCKET = 'sluice_leases';
export const PRIMARY_KEY = 'primary';
/** A worker report older than this leaves the bucket (the workers list forgets a worker gone this long). */
export const WORKER_REPORT_TTL_MS = 5 * 60_000;
export const DEFAULT_LEASE_TTL_MS = 5000;

/** Worker names and flow ids share the KV key alphabet; a name is at most 64 characters. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const flowKey = (flowId: string) => `flows.${flowId}`;
export const stateKey = (flowId: string) => `state.${flowId}`;

export interface ClusterBuckets {
  flows: KV;
  workers: KV;
  leases: KV;
  /** The lease TTL the leases bucket really has (ms). */
  leaseTtlMs: number;
}

export interface ClusterBucketOptions {
  /** Copies of each bucket (1; 3 on a three-node cluster). */
  replicas?: number;
  /** TTL of the primary lease, for a leases bucket created now. Default 5 s. */
  leaseTtlMs?: number;
}

export async function openClusterBuckets(link: NatsLink, options: ClusterBucketOptions = {}): Promise<ClusterBuckets> {
  const replicas = options.replicas ?? 1;
  const { views } = link.js;
  const [flows, workers, leases] = await Promise.all([
    views.kv(FLOWS_BUCKET, { history: 1, replicas, description: 'Sluice flows and their running state' }),
    views.kv(WORKERS_BUCKET, {
      history: 1,
      replicas,
      ttl: WORKER_REPORT_TTL_MS,
      description: 'Sluice worker reports',
    }),
    views.kv(LEASES_BUCKET, {
      history: 1,
      replicas,
      ttl: options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
      description: 'Sluice primary lease',
    }),
  ]);
  const leaseTtlMs = (await leases.status()).ttl || (options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS);
  return { flows, workers, leases, leaseTtlMs };
}

/** A KV key's value as JSON, or undefined (absent, deleted, or not JSON). */
export function parseJson(value: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8'));
  } catch {
    return undefined;
  }
}

export function encodeJson(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
