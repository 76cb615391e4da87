/**
 * The command line of cluster mode: `sluice worker --nats URL` and what `sluice serve --nats URL` adds.
 * Both connect (retrying with one line per failed attempt until NATS answers), open the cluster's KV buckets
 * and shut down cleanly on SIGINT/SIGTERM (flows stop, the primary lease is handed over, held messages go
 * back to the streams).
 */
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { createRegistry } from '../../processors/registry';
import { parseDuration } from '../engine/units';
import { createLogger } from '../logger';
import { addNatsOptions, type NatsCliOptions, openNatsFromCli } from '../nats/cli-options';
import type { NatsBackend } from '../nats/nats-backend';
import { sleep } from '../nats/nats-link';
import { type ClusterBuckets, NAME_PATTERN, openClusterBuckets } from './cluster-buckets';
import { type ClusterServeOptions, type RunningClusterServer, startClusterServer } from './cluster-server';
import { ClusterWorker } from './cluster-worker';

/** How long a starting server or worker keeps trying to reach NATS. */
const CONNECT_FOR_MS = 24 * 60 * 60 * 1000;

export interface ClusterCliOptions extends NatsCliOptions {
  name?: string;
  leaseTtl: string;
  statusInterval: string;
}

export function defaultWorkerName(): string {
  const host = os
    .hostname()
    .replace(/[^A-Za-z0-9_-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '');
  return `${(host || 'worker').slice(0, 50)}-${process.pid}`;
}

function parseName(value: string): string {
  if (!NAME_PATTERN.test(value))
    throw new InvalidArgumentError(
      'a worker name is 1 to 64 letters, digits, "_" or "-", starting with a letter or digit',
    );
  return value;
}

function parseDurationOption(value: string): string {
  try {
    if (parseDuration(value) > 0) return value;
  } catch {}
  throw new InvalidArgumentError('a duration, e.g. "5s" or "500ms"');
}

function parsePortOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is 0 to 65535');
  return port;
}

/** The options `serve` and `worker` share in cluster mode. */
export function addClusterOptions(command: Command, nameHelp: string): Command {
  return command
    .addOption(new Option('--name <name>', nameHelp).env('SLUICE_WORKER_NAME').argParser(parseName))
    .addOption(
      new Option('--lease-ttl <duration>', 'cluster: the primary lease lapses after this long without renewal')
        .argParser(parseDurationOption)
        .default('5s'),
    )
    .addOption(
      new Option('--status-interval <duration>', 'cluster: how often a worker reports its counters')
        .argParser(parseDurationOption)
        .default('1s'),
    );
}

/** JetStream answers that mean "not now" (a cluster still electing leaders, a loaded server), not "never". */
const TRANSIENT = /timeout|timed out|temporarily unavailable|no responders|not ready|no suitable peers|leader/i;

/**
 * Connects to NATS and opens the back end and the cluster buckets, or returns a one-line error. Like the
 * connection itself, JetStream calls that fail for the moment (a fresh cluster electing its leaders) are
 * retried with one line on stderr per attempt.
 */
export async function joinCluster(
  opts: ClusterCliOptions & { nats: string },
): Promise<{ backend: NatsBackend; buckets: ClusterBuckets } | { error: string }> {
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const deadline = Date.now() + CONNECT_FOR_MS;
  for (let attempt = 1; ; attempt++) {
    const opened = await openNatsFromCli(opts, logger, deadline - Date.now());
    if ('error' in opened) {
      if (!TRANSIENT.test(opened.error) || Date.now() > deadline) return opened;
      retrying(`${opened.error}`, attempt);
      await sleep(RETRY_MS);
      continue;
    }
    for (let bucketAttempt = 1; ; bucketAttempt++) {
      try {
        const buckets = await openClusterBuckets(opened.link, {
          replicas: opts.replicas,
          leaseTtlMs: parseDuration(opts.leaseTtl),
        });
        return { backend: opened, buckets };
      } catch (err) {
        const message = `cannot open the cluster's KV buckets on NATS (${(err as Error).message})`;
        if (Date.now() > deadline) {
          await opened.close().catch(() => {});
          return { error: message };
        }
        retrying(message, bucketAttempt);
        await sleep(RETRY_MS);
      }
    }
  }
}

const RETRY_MS = 2000;

function retrying(message: string, attempt: number): void {
  process.stderr.write(`sluice: ${message}; retrying in ${RETRY_MS / 1000}s (attempt ${attempt})\n`);
}

interface WorkerCliOptions extends ClusterCliOptions {
  data: string;
  allowDir?: string[];
  port?: number;
  host: string;
}

export function addWorkerCommand(program: Command): void {
  const command = program
    .command('worker')
    .description(
      'Run as a cluster worker: run every started flow stored on NATS (--nats), sharing its queues with the other workers.',
    )
    .option('--data <dir>', 'data directory (the default allowed directory)', process.env.SLUICE_DATA ?? './data')
    .addOption(new Option('--allow-dir <dir...>', 'directories file processors may use (default: the data directory)'))
    .addOption(
      new Option('--port <port>', 'serve GET /healthz on this port (none by default)').argParser(parsePortOption),
    )
    .option('--host <host>', 'interface of the health endpoint', '127.0.0.1');
  addClusterOptions(addNatsOptions(command), "this worker's name, unique in the cluster (default: host name and pid)");
  command.action(async (opts: WorkerCliOptions) => {
    if (!opts.nats) {
      process.stderr.write('sluice worker: needs --nats <url> (or NATS_URL)\n');
      process.exitCode = 1;
      return;
    }
    const joined = await joinCluster({ ...opts, nats: opts.nats });
    if ('error' in joined) {
      process.stderr.write(`sluice worker: ${joined.error}\n`);
      process.exit(1);
    }
    const logger = createLogger(process.env.LOG_LEVEL ?? 'info');
    const dataDir = path.resolve(opts.data);
    const worker = new ClusterWorker({
      backend: joined.backend,
      buckets: joined.buckets,
      registry: createRegistry(),
      logger,
      allowedDirs: (opts.allowDir ?? [dataDir]).map((d) => path.resolve(d)),
      name: opts.name ?? defaultWorkerName(),
      statusIntervalMs: parseDuration(opts.statusInterval),
    });
    let health: Server | undefined;
    try {
      await worker.start();
      if (opts.port !== undefined) health = await serveHealth(worker, joined.backend, opts.port, opts.host);
    } catch (err) {
      process.stderr.write(`sluice worker: ${(err as Error).message}\n`);
      await worker.stop().catch(() => {});
      await joined.backend.close().catch(() => {});
      process.exit(1);
    }
    logger.info({ worker: worker.name, primary: worker.isPrimary }, 'sluice worker is running');
    let stopping = false;
    const shutdown = async () => {
      if (stopping) return;
      stopping = true;
      health?.close();
      await worker.stop().catch(() => {});
      await joined.backend.close().catch(() => {});
      process.exit(0);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
}

/** `GET /healthz` of a worker: 200 while connected to NATS, 503 otherwise, with its name and role. */
function serveHealth(worker: ClusterWorker, backend: NatsBackend, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/healthz') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const connected = backend.status().connected;
    res.writeHead(connected ? 200 : 503, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ status: connected ? 'ok' : 'disconnected', name: worker.name, primary: worker.isPrimary }),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

export interface ServeClusterCliOptions extends ClusterCliOptions {
  nats: string;
  /** Also run flows in the server process (`--no-worker` turns it off). */
  worker: boolean;
}

/** `sluice serve --nats`: joins the cluster and serves the API and UI over it (see cluster-server.ts). */
export async function serveOnCluster(
  serve: Omit<ClusterServeOptions, 'backend' | 'buckets' | 'worker'>,
  opts: ServeClusterCliOptions,
): Promise<RunningClusterServer> {
  const joined = await joinCluster(opts);
  if ('error' in joined) throw new Error(joined.error);
  try {
    return await startClusterServer({
      ...serve,
      backend: joined.backend,
      buckets: joined.buckets,
      worker: opts.worker
        ? { name: opts.name ?? defaultWorkerName(), statusIntervalMs: parseDuration(opts.statusInterval) }
        : undefined,
    });
  } catch (err) {
    await joined.backend.close().catch(() => {});
    throw err;
  }
}
