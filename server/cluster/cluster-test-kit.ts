/**
 * Cluster mode in one test process on a real nats-server: the server (API over the KV store, running no flow)
 * and workers, each with a NATS connection of its own as separate processes would have. For tests only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type NatsServerHandle, startNats } from '../../test/helpers/nats-server';
import type { ProcessorLogger } from '../engine/contract';
import { silentLogger } from '../engine/flow-engine';
import type { ProcessorRegistry } from '../engine/processor-registry';
import { NatsBackend } from '../nats/nats-backend';
import { openClusterBuckets } from './cluster-buckets';
import { type RunningClusterServer, startClusterServer } from './cluster-server';
import { ClusterWorker } from './cluster-worker';

export interface TestCluster {
  nats: NatsServerHandle;
  dataDir: string;
  server: RunningClusterServer;
  workers: { worker: ClusterWorker; backend: NatsBackend }[];
  startWorker(name: string): Promise<ClusterWorker>;
  /** A request to the server's API; the answer's JSON (undefined for an empty body); throws unless 2xx. */
  api<T = unknown>(method: string, route: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export async function startTestCluster(
  registry: ProcessorRegistry,
  options: { name: string; workers: readonly string[]; loggerFor?: (worker: string) => ProcessorLogger },
): Promise<TestCluster> {
  const nats = await startNats();
  const dataDir = await mkdtemp(path.join(tmpdir(), `sluice-${options.name}-`));
  const backend = await NatsBackend.open({ url: nats.url, ackWaitMs: 3000, provenance: false });
  const buckets = await openClusterBuckets(backend.link, { leaseTtlMs: 2000 });
  const server = await startClusterServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    registry,
    backend,
    buckets,
    logLevel: 'silent',
  });
  const workers: TestCluster['workers'] = [];
  const cluster: TestCluster = {
    nats,
    dataDir,
    server,
    workers,
    async startWorker(name) {
      const workerBackend = await NatsBackend.open({ url: nats.url, ackWaitMs: 3000, provenance: false });
      const workerBuckets = await openClusterBuckets(workerBackend.link, { leaseTtlMs: 2000 });
      const worker = new ClusterWorker({
        backend: workerBackend,
        buckets: workerBuckets,
        registry,
        logger: options.loggerFor?.(name) ?? silentLogger,
        allowedDirs: [dataDir],
        name,
        statusIntervalMs: 300,
      });
      await worker.start();
      workers.push({ worker, backend: workerBackend });
      return worker;
    },
    async api<T>(method: string, route: string, body?: unknown): Promise<T> {
      const res = await fetch(`${server.url}/api${route}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
      const text = await res.text();
      return (text ? JSON.parse(text) : undefined) as T;
    },
    async stop() {
      for (const w of workers) {
        await w.worker.stop().catch(() => {});
        await w.backend.close().catch(() => {});
      }
      await server.close();
      await nats.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  for (const name of options.workers) await cluster.startWorker(name);
  return cluster;
}
