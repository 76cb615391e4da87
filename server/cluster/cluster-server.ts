/**
 * `sluice serve --nats`: the API and the UI over the cluster. Flows and their running state live in the
 * `sluice_flows` KV bucket; this process keeps each flow (validation, queue views read from JetStream) but
 * runs none itself unless it is also a worker (`worker` set, the default of the CLI); every flow's status
 * is the aggregate of the live workers' reports, and `GET /api/workers` lists them.
 */
import { workersRoutes } from '../api/workers.routes';
import { createLogger } from '../logger';
import type { NatsBackend } from '../nats/nats-backend';
import { type RunningServer, type ServeOptions, startServer } from '../serve';
import type { ClusterBuckets } from './cluster-buckets';
import { ClusterView } from './cluster-view';
import { ClusterWorker } from './cluster-worker';
import { KvFlowStore } from './kv-flow-store';

export interface ClusterServeOptions
  extends Omit<
    ServeOptions,
    'store' | 'runFlows' | 'statusSource' | 'queueFactory' | 'commitWriter' | 'provenance' | 'onClose'
  > {
  /** Opened by the caller; closed when the server closes. */
  backend: NatsBackend;
  buckets: ClusterBuckets;
  /** Also run the flows in this process, as a worker of this name. */
  worker?: { name: string; statusIntervalMs?: number };
}

export interface RunningClusterServer extends RunningServer {
  view: ClusterView;
  worker?: ClusterWorker;
}

export async function startClusterServer(options: ClusterServeOptions): Promise<RunningClusterServer> {
  const { backend, buckets } = options;
  const logger = createLogger(options.logLevel);
  const view = new ClusterView(buckets.workers, logger);
  await view.start();
  let worker: ClusterWorker | undefined;
  let server: RunningServer;
  try {
    server = await startServer({
      ...options,
      examplesDir: options.examplesDir ?? false,
      queueFactory: backend.queueFactory,
      commitWriter: backend.commitWriter,
      provenance: backend.provenance,
      store: new KvFlowStore(buckets.flows),
      runFlows: false,
      statusSource: (flowId, local, now) => ({ ...view.flowStatus(flowId, local, now), backend: backend.status() }),
      apiRoutes: [...(options.apiRoutes ?? []), workersRoutes(() => view.workers())],
      onClose: async () => {
        await worker?.stop();
        await view.stop();
        await backend.close();
      },
    });
  } catch (err) {
    await view.stop();
    throw err;
  }
  if (options.worker) {
    worker = new ClusterWorker({
      backend,
      buckets,
      registry: server.manager.options.registry,
      logger,
      allowedDirs: server.manager.options.allowedDirs ?? [],
      name: options.worker.name,
      statusIntervalMs: options.worker.statusIntervalMs,
    });
    try {
      await worker.start();
    } catch (err) {
      await server.close();
      throw err;
    }
  }
  return { ...server, view, worker };
}
