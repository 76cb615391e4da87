import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express, Router } from 'express';
import { createRegistry } from '../processors/registry';
import { createApp } from './api/app';
import { AuditLog } from './api/audit';
import { isLoopback } from './api/auth';
import type { LoginLimits } from './api/sessions';
import type { StatusStream } from './api/status-stream';
import { UserStore, usersFileOf } from './api/users';
import type { QueueFactory } from './engine/flow-engine';
import type { ProcessorRegistry } from './engine/processor-registry';
import type { ProvenanceStore } from './engine/provenance';
import type { CommitWriter } from './engine/session-commit';
import { exampleTestsSeeder } from './flow-tests/stored-tests';
import { createLogger } from './logger';
import { undeclaredParameters } from './parameters/parameters-file';
import { type PluginLoad, reportPlugins } from './plugins/load-plugins';
import { FlowManager, type FlowManagerOptions } from './runtime/flow-manager';
import { type OpenedKey, openSecretsKey } from './secrets/secret-box';
import { DataDirLock } from './storage/durable/data-dir-lock';
import type { FlowFileRepository } from './storage/durable/flowfile-repository';
import { openRepository } from './storage/durable/open-repository';
import type { SyncPolicy } from './storage/durable/sync-policy';
import type { FlowPersistence } from './storage/flow-store';
import { MemoryProvenanceStore } from './storage/memory-provenance-store';
import { versionedFileStore } from './versions/versioned-file-store';

export interface ServeOptions {
  port: number;
  host: string;
  /** Flows and their running state persist here (created when missing). */
  dataDir: string;
  /** Directories file processors may use; default: the data directory. */
  allowedDirs?: string[];
  /** `--parameters`: the value of every parameter of each name, in every context of every flow. */
  parameters?: Record<string, string>;
  /** The example flows a fresh data directory is seeded with (and started); false = none. */
  examplesDir?: string | false;
  /** Required for every /api, /metrics and /listen request when set (admin); it or users needed beyond loopback. */
  token?: string;
  /** Login session lifetime (default 12 h); users come from `<dataDir>/users.json` (`sluice users`). */
  sessionTtlMs?: number;
  /** Failed logins allowed per user name and address, and per address, in a window (default 5, 20, 15 min). */
  loginLimits?: Partial<LoginLimits>;
  /** Host names answered besides loopback names, IP addresses and `host` (DNS rebinding guard). */
  allowedHosts?: string[];
  /** Largest request body in bytes (default 5 MB). */
  maxBodyBytes?: number;
  /** The built UI (default `ui/dist`). */
  uiDir?: string;
  logLevel?: string;
  /**
   * Where queues live when no queueFactory is given: 'durable' (default: the FlowFile, content and provenance
   * repositories under `<dataDir>/repository`) or 'memory' (lost on restart; for throwaway runs).
   */
  queues?: 'durable' | 'memory';
  /** How hard a durable commit waits for the disk (default 'always'); see storage/durable/sync-policy.ts. */
  sync?: SyncPolicy;
  /** Queued FlowFiles kept in memory per connection before the rest waits on disk (default 20,000). */
  swapThreshold?: number;
  /** Pluggable back ends (the NATS JetStream ones); default: the durable repository (or memory, see `queues`). */
  queueFactory?: QueueFactory;
  /** Applies committed sessions for `queueFactory`'s queues (NATS: one transaction per session). */
  commitWriter?: CommitWriter;
  provenance?: ProvenanceStore;
  registry?: ProcessorRegistry;
  /** Plugins loaded at start (server/plugins): added to the default registry; their failures are logged. */
  plugins?: PluginLoad;
  /** Status push interval of /api/events (default 1 s) and its heartbeat (default 2 s). */
  statusIntervalMs?: number;
  heartbeatMs?: number;
  /** Where flows persist instead of `<dataDir>` (cluster mode: the NATS KV bucket). */
  store?: FlowPersistence;
  /** False: keep the flows but run none here (cluster mode: workers run them). Default true. */
  runFlows?: boolean;
  /** Replaces each flow's status (cluster mode: the workers' aggregate). */
  statusSource?: FlowManagerOptions['statusSource'];
  /** More routes under /api (cluster mode: /api/workers). */
  apiRoutes?: Router[];
  /** Runs when the server closes, after every flow stopped (cluster mode: leave the cluster). */
  onClose?: () => Promise<void>;
}

export interface RunningServer {
  url: string;
  port: number;
  app: Express;
  manager: FlowManager;
  /** The /api/events stream (its client count is observable). */
  events: StatusStream;
  /** Stops serving and stops every flow; the remembered running state is kept for the next start. */
  close(): Promise<void>;
}

export const EXAMPLES_DIR = path.resolve(import.meta.dirname, '../flows/examples');
export const UI_DIR = path.resolve(import.meta.dirname, '../ui/dist');
export const DEFAULT_MAX_BODY = 5 * 1024 * 1024;

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const dataDir = path.resolve(options.dataDir);
  const logger = createLogger(options.logLevel);
  if (options.plugins) reportPlugins(options.plugins, logger);
  const users = await UserStore.open(usersFileOf(dataDir), (err) => logger.error({ err: String(err) }, 'users file'));
  if (!isLoopback(options.host) && !options.token && !users.required)
    throw new Error(
      `binding ${options.host} exposes the API beyond this machine: set a token (--token or SLUICE_TOKEN) or add users (sluice users add) first`,
    );
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (err) {
    throw new Error(`cannot create the data directory ${dataDir}: ${(err as Error).message}`);
  }
  // One process per data directory: a second one would take the same FlowFiles.
  const lock = options.store ? undefined : DataDirLock.acquire(dataDir);
  // Sensitive parameter values are encrypted in the flow files under this key (SLUICE_SECRETS_KEY or secrets.key).
  let secretsKey: OpenedKey | undefined;
  try {
    secretsKey = options.store ? undefined : await openSecretsKey(dataDir);
  } catch (err) {
    lock?.release();
    throw err;
  }
  if (secretsKey?.created) logger.info({ file: secretsKey.file }, 'created the secrets key file (mode 0600)');
  // Flow files, sensitive values encrypted, each save a version in <data>/versions (not with a store given).
  const versioned = options.store ? undefined : versionedFileStore(dataDir, secretsKey!.box, logger);
  const durable = !options.queueFactory && options.queues !== 'memory';
  let repository: FlowFileRepository | undefined;
  try {
    repository = durable
      ? openRepository(dataDir, { sync: options.sync, swapThreshold: options.swapThreshold })
      : undefined;
  } catch (err) {
    lock?.release();
    throw err;
  }
  if (repository)
    logger.info(
      { ...repository.recovery, sync: options.sync ?? 'always', dir: repository.dir },
      `recovered ${repository.recovery.flowFiles} queued FlowFile(s) in ${repository.recovery.ms} ms`,
    );
  const ownProvenance = options.provenance === undefined;
  const provenance: ProvenanceStore = options.provenance ?? repository?.provenance ?? new MemoryProvenanceStore();
  const manager = new FlowManager({
    registry: options.registry ?? createRegistry(options.plugins?.processors, options.plugins?.services),
    provenance,
    logger,
    allowedDirs: (options.allowedDirs ?? [dataDir]).map((d) => path.resolve(d)),
    queueFactory: options.queueFactory ?? repository?.queueFactory,
    commitWriter: options.commitWriter ?? repository?.commitWriter,
    processorState: repository && ((flowId, processorId) => repository.processorState(flowId, processorId)),
    contentOf: repository && ((claim) => repository.content.read(claim)),
    store: options.store ?? versioned!.store,
    runFlows: options.runFlows,
    statusSource: options.statusSource,
    authenticated: Boolean(options.token) || users.required,
    parameters: options.parameters,
  });
  const releaseStorage = async () => {
    await repository?.close();
    lock?.release();
  };
  const seedExampleTests = exampleTestsSeeder(
    dataDir,
    options.store ? false : (options.examplesDir ?? EXAMPLES_DIR),
    (message) => logger.warn({}, message),
  );
  try {
    await manager.load(options.examplesDir ?? EXAMPLES_DIR, { start: false });
    await seedExampleTests(manager.ids());
  } catch (err) {
    await manager.close();
    await releaseStorage();
    throw err;
  }
  const definitions = manager.ids().map((id) => manager.get(id));
  for (const name of undeclaredParameters(options.parameters ?? {}, definitions))
    logger.warn({ parameter: name }, 'the --parameters value is for a parameter no context of any flow declares');
  for (const q of repository?.unclaimed() ?? [])
    logger.warn(q, `connection "${q.connectionId}" of flow "${q.flowId}" no longer exists; its FlowFiles stay on disk`);

  const { app, stream } = createApp({
    manager,
    provenance,
    logger,
    token: options.token,
    users,
    audit: new AuditLog(path.join(dataDir, 'audit.log'), (err) =>
      logger.error({ err: String(err) }, 'cannot append to the audit log'),
    ),
    sessionTtlMs: options.sessionTtlMs,
    loginLimits: options.loginLimits,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY,
    uiDir: options.uiDir ?? UI_DIR,
    statusIntervalMs: options.statusIntervalMs,
    heartbeatMs: options.heartbeatMs,
    apiRoutes: options.apiRoutes,
    flowTestsDir: path.join(dataDir, 'flows'),
    versions: versioned?.history,
    allowedHosts: [options.host, ...(options.allowedHosts ?? [])],
  });

  let server: Server;
  try {
    server = await listen(app, options.port, options.host);
  } catch (err) {
    await manager.close();
    await releaseStorage();
    throw err;
  }
  // The port is open: the flows that were running start now (one that calls the server itself finds it).
  await manager.startLoaded();
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, dataDir, flows: manager.ids().length, token: Boolean(options.token) }, 'sluice is serving');
  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    app,
    manager,
    events: stream,
    close() {
      closing ??= (async () => {
        stream.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
        await closed;
        await manager.close();
        if (ownProvenance && !repository) await provenance.close?.();
        await releaseStorage();
        await options.onClose?.();
      })();
      return closing;
    },
  };
}

function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}
