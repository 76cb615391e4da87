import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createRegistry } from '../processors/registry';
import { parseAllowedHosts } from './api/origin';
import { addTestCommand } from './cli/test-command';
import { addClusterOptions, addWorkerCommand, type ClusterCliOptions } from './cluster/cluster-command';
import { FlowEngine } from './engine/flow-engine';
import { parseDuration, parseSize } from './engine/units';
import { loadFlowFile } from './flow-loader';
import { createLogger } from './logger';
import { addNatsOptions, type NatsCliOptions, openNatsFromCli } from './nats/cli-options';
import type { NatsBackend } from './nats/nats-backend';
import { loadParameterFiles, undeclaredParameters } from './parameters/parameters-file';
import { pluginsFor, pluginsOption, printPluginFailures } from './plugins/plugin-cli';
import { addPluginCommands } from './plugins/plugin-commands';
import { redactSecrets } from './secrets/redactor';
import type { RunningServer } from './serve';
import { DataDirLock } from './storage/durable/data-dir-lock';
import type { FlowFileRepository } from './storage/durable/flowfile-repository';
import { openRepository } from './storage/durable/open-repository';
import type { SyncPolicy } from './storage/durable/sync-policy';
import { addUsersCommand } from './users-command';
import { formatIssue } from './validation/ajv';
import { addVersionCommands } from './versions/version-commands';

interface ValidateCliOptions {
  allowDir?: string[];
  data: string;
  authenticated?: boolean;
  parameters?: string[];
  plugins?: string;
}

const program = new Command('sluice').description('Visual, flow-based data pipelines.').showHelpAfterError();

program
  .command('validate')
  .description('Validate flow files as `sluice serve` would; prints one line per error as "file: /json/path: message".')
  .argument('<flows...>', 'flow JSON files')
  .addOption(
    new Option('--allow-dir <dir...>', 'directories file processors may use (default: the data directory, as serve)'),
  )
  .option('--data <dir>', 'the data directory serve would use', process.env.SLUICE_DATA ?? './data')
  .addOption(
    new Option('--authenticated', 'validate for a server that runs with a token (listeners may bind beyond loopback)')
      .env('SLUICE_TOKEN')
      .argParser(() => true),
  )
  .addOption(parametersOption())
  .addOption(pluginsOption('default: none'))
  .action(async (files: string[], opts: ValidateCliOptions) => {
    const plugins = await pluginsFor(opts, false);
    printPluginFailures(plugins, 'validate');
    const registry = createRegistry(plugins.processors, plugins.services);
    const allowedDirs = (opts.allowDir ?? [opts.data]).map((d) => path.resolve(d));
    const parameters = await parametersOrExit(opts.parameters, 'validate');
    let failed = false;
    for (const file of files) {
      const check = await loadFlowFile(file, registry, {
        allowedDirs,
        authenticated: Boolean(opts.authenticated),
        parameters,
      });
      if (check.ok) continue;
      failed = true;
      for (const issue of check.issues) process.stdout.write(`${file}: ${formatIssue(issue)}\n`);
    }
    process.exitCode = failed ? 1 : 0;
  });

const runCommand = program
  .command('run')
  .description('Run a flow headless and print its final status as JSON.')
  .argument('<flow>', 'flow JSON file')
  .option('--until-idle', 'stop once sources are exhausted and every queue is empty')
  .option('--timeout <duration>', 'stop after this long', '30s')
  .option('--data <dir>', 'run on the durable repository of this data directory (default: in memory)')
  .addOption(
    new Option('--sync <policy>', 'with --data: always, batch or none (see serve)')
      .choices(['always', 'batch', 'none'])
      .default('always')
      .env('SLUICE_SYNC'),
  )
  .addOption(parametersOption())
  .addOption(pluginsOption('default: none'));
addNatsOptions(runCommand).action(
  async (
    file: string,
    opts: {
      untilIdle?: boolean;
      timeout: string;
      data?: string;
      sync: SyncPolicy;
      parameters?: string[];
      plugins?: string;
    } & NatsCliOptions,
  ) => {
    const plugins = await pluginsFor(opts, false);
    printPluginFailures(plugins, 'run');
    const registry = createRegistry(plugins.processors, plugins.services);
    const parameters = await parametersOrExit(opts.parameters, 'run');
    const check = await loadFlowFile(file, registry, { parameters });
    if (!check.ok) {
      for (const issue of check.issues) process.stderr.write(`${file}: ${formatIssue(issue)}\n`);
      process.exitCode = 1;
      return;
    }
    for (const name of undeclaredParameters(parameters ?? {}, [check.flow]))
      process.stderr.write(`sluice run: warning: --parameters sets "${name}", which no parameter context declares\n`);
    const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
    const timeoutMs = parseDuration(opts.timeout);
    let nats: NatsBackend | undefined;
    if (opts.nats) {
      const opened = await openNatsFromCli({ ...opts, nats: opts.nats }, logger, timeoutMs);
      if ('error' in opened) {
        process.stderr.write(`sluice: ${opened.error}\n`);
        process.exitCode = 1;
        return;
      }
      nats = opened;
    }
    const backend = nats;
    let durable: { lock: DataDirLock; repository: FlowFileRepository } | undefined;
    if (opts.data && !backend) {
      try {
        const dataDir = path.resolve(opts.data);
        mkdirSync(dataDir, { recursive: true });
        const lock = DataDirLock.acquire(dataDir);
        durable = { lock, repository: openRepository(dataDir, { sync: opts.sync }) };
      } catch (err) {
        process.stderr.write(`sluice run: ${(err as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
    }
    const repo = durable?.repository;
    const engine = new FlowEngine(check.resolved, registry, {
      logger,
      ...(backend && {
        queueFactory: backend.queueFactory,
        provenance: backend.provenance,
        commitWriter: backend.commitWriter,
        backendStatus: () => backend.status(),
      }),
      ...(repo && {
        queueFactory: repo.queueFactory,
        provenance: repo.provenance,
        commitWriter: repo.commitWriter,
        processorState: (id: string) => repo.processorState(check.resolved.id, id),
      }),
    });
    await nats?.ready();
    if (backend) {
      // Interrupted: stop, and hand the messages this process holds back to the streams at once.
      const interrupt = async () => {
        await engine.stop();
        await backend.close();
        process.exit(130);
      };
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
    }
    const failures = await engine.start();
    for (const f of failures)
      process.stderr.write(`${file}: processor ${f.processorId} failed to start: ${redactSecrets(f.error)}\n`);
    let idle = false;
    // Either way the flow stops from its sources down, so what processors emit when they stop (open windows)
    // still goes all the way through the flow instead of waiting in a queue (lost in memory, delivered by a
    // later run on NATS or the durable repository).
    if (opts.untilIdle) {
      const started = Date.now();
      idle = await engine.waitUntilIdle(timeoutMs);
      idle = (await engine.drainAndStop(Math.max(STOP_DRAIN_MS, timeoutMs - (Date.now() - started)))) && idle;
    } else {
      await new Promise((resolve) => setTimeout(resolve, timeoutMs));
      await engine.drainAndStop(STOP_DRAIN_MS);
    }
    await nats?.refresh();
    engine.tick();
    process.stdout.write(`${JSON.stringify(engine.status(), null, 2)}\n`);
    await nats?.close();
    await durable?.repository.close();
    durable?.lock.release();
    if (opts.untilIdle && !idle) {
      process.stderr.write(`${file}: not idle after ${opts.timeout}\n`);
      process.exitCode = 2;
    } else if (failures.length > 0) process.exitCode = 1;
  },
);

const serveCommand = program
  .command('serve')
  .description(
    'Serve the API and the UI, running the stored flows (a fresh data directory gets the example flows, started). ' +
      'With --nats: cluster mode, flows stored on NATS and run by workers (this process is one unless --no-worker).',
  )
  .option('--port <port>', 'port', parsePort, Number(process.env.PORT ?? 8080))
  .option('--host <host>', 'interface to bind; anything but loopback needs a token', process.env.HOST ?? '127.0.0.1')
  .option('--data <dir>', 'data directory (flows, running state)', process.env.SLUICE_DATA ?? './data')
  .addOption(
    new Option('--token <token>', 'every /api, /metrics and /listen request needs "Authorization: Bearer <token>"').env(
      'SLUICE_TOKEN',
    ),
  )
  .addOption(
    new Option('--session-ttl <duration>', 'how long a login lasts (users: see "sluice users")')
      .default('12h')
      .env('SLUICE_SESSION_TTL'),
  )
  .addOption(new Option('--allow-dir <dir...>', 'directories file processors may use (default: the data directory)'))
  .option('--max-body <size>', 'largest request body, e.g. "5mb"', '5mb')
  .addOption(
    new Option(
      '--queues <where>',
      'durable: queues, content and provenance on disk under --data; memory: lost on restart',
    )
      .choices(['durable', 'memory'])
      .default('durable')
      .env('SLUICE_QUEUES'),
  )
  .addOption(
    new Option(
      '--sync <policy>',
      'durable commits: always = fsync per group commit (survives power loss); batch = synced right after (a power loss may take the last commits); none = the OS decides (process crash only)',
    )
      .choices(['always', 'batch', 'none'])
      .default('always')
      .env('SLUICE_SYNC'),
  )
  .addOption(
    new Option('--swap-threshold <count>', 'queued FlowFiles kept in memory per connection; the rest wait on disk')
      .argParser(parseCount)
      .default(20_000)
      .env('SLUICE_SWAP_THRESHOLD'),
  )
  .option('--no-examples', 'do not seed a fresh data directory with the example flows')
  .addOption(
    new Option(
      '--allowed-hosts <hosts>',
      'more Host header names to answer besides loopback names and IP addresses (comma-separated; ".example.com" for a domain and its subdomains, "*" for any)',
    ).env('SLUICE_ALLOWED_HOSTS'),
  )
  .option('--no-worker', 'cluster mode: API and UI only, run no flows in this process (workers run them)')
  .addOption(parametersOption())
  .addOption(pluginsOption('default: DATA/plugins; also npm packages, see docs/plugins.md'));
addClusterOptions(
  addNatsOptions(serveCommand),
  "cluster mode: this process's worker name (default: host name and pid)",
);
serveCommand.action(
  async (
    opts: {
      port: number;
      host: string;
      data: string;
      token?: string;
      sessionTtl: string;
      allowDir?: string[];
      maxBody: string;
      queues: 'durable' | 'memory';
      sync: SyncPolicy;
      swapThreshold: number;
      examples: boolean;
      allowedHosts?: string;
      parameters?: string[];
      plugins?: string;
    } & ClusterCliOptions & { worker: boolean },
  ) => {
    const maxBodyBytes = parseBodySize(opts.maxBody);
    const parameters = await parametersOrExit(opts.parameters, 'serve');
    if (parameters && opts.nats) {
      process.stderr.write('sluice serve: --parameters does not work with --nats yet (workers would not see it)\n');
      process.exit(1);
    }
    const { startServer } = await import('./serve');
    let server: RunningServer;
    try {
      const serveOptions = {
        port: opts.port,
        host: opts.host,
        dataDir: path.resolve(opts.data),
        token: opts.token || undefined,
        sessionTtlMs: parseDuration(opts.sessionTtl),
        allowedDirs: opts.allowDir?.map((d) => path.resolve(d)),
        maxBodyBytes,
        queues: opts.queues,
        sync: opts.sync,
        swapThreshold: opts.swapThreshold,
        ...(opts.examples === false && { examplesDir: false as const }),
        allowedHosts: parseAllowedHosts(opts.allowedHosts),
        ...(parameters && { parameters }),
        plugins: await pluginsFor(opts, true),
      };
      // The provenance stream's index lives in the data directory, so a restart does not read it all again.
      const provenanceIndex = opts.provenanceIndex ?? path.join(serveOptions.dataDir, 'provenance-index');
      server = opts.nats
        ? await (await import('./cluster/cluster-command')).serveOnCluster(serveOptions, {
            ...opts,
            nats: opts.nats,
            provenanceIndex,
          })
        : await startServer(serveOptions);
    } catch (err) {
      process.stderr.write(`sluice serve: ${(err as Error).message}\n`);
      process.exit(1);
    }
    // A commit that fails (disk full) rejects every write of its batch; the sessions awaiting them roll back
    // and say why. lmdb-js also rejects a promise of its own nobody awaits: that one must not end the server.
    process.on('unhandledRejection', (reason) => {
      if (reason instanceof Error && 'commitError' in reason) {
        void Promise.resolve((reason as { commitError?: unknown }).commitError).catch(() => {});
        return;
      }
      process.stderr.write(
        `sluice serve: unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}\n`,
      );
      process.exit(1);
    });
    const shutdown = async () => {
      // Triggers still running after their grace are abandoned (rolled back); this is the last resort.
      setTimeout(() => {
        process.stderr.write(`sluice serve: still stopping after ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting\n`);
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
      await server.close();
      process.exit(0);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  },
);

addWorkerCommand(program);
addUsersCommand(program);
addPluginCommands(program);
addVersionCommands(program);
addTestCommand(program);

/** `--parameters FILE` (repeatable): parameter name → value, applied to every context (see docs/parameters.md). */
function parametersOption(): Option {
  return new Option(
    '--parameters <file>',
    'JSON file of parameter name → value: each replaces the value of every parameter of that name, in every parameter context (repeatable; a later file wins)',
  ).argParser((file: string, previous: string[] = []) => [...previous, file]);
}

/** The merged --parameters files (undefined when none is given); a malformed one ends the command. */
async function parametersOrExit(
  files: string[] | undefined,
  command: string,
): Promise<Record<string, string> | undefined> {
  if (!files || files.length === 0) return undefined;
  const loaded = await loadParameterFiles(files);
  if (loaded.ok) return loaded.values;
  process.stderr.write(`sluice ${command}: ${loaded.error}\n`);
  process.exit(1);
}

function parseBodySize(value: string): number {
  let size: number;
  try {
    size = parseSize(/^\d+$/.test(value.trim()) ? Number(value) : value);
  } catch {
    size = Number.NaN;
  }
  if (!(size > 0)) {
    process.stderr.write(`sluice serve: --max-body "${value}" is not a size (e.g. 5mb, 512kb, 1048576)\n`);
    process.exit(1);
  }
  return size;
}

/** `sluice run`: how long at least the flow may take, once stopping, to carry what its stops emit to the sinks. */
const STOP_DRAIN_MS = 10_000;

/** SIGTERM: every processor gets STOP_GRACE_MS to end its trigger; past this the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 20_000;

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of at least 1');
  return n;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is 0 to 65535');
  return port;
}

await program.parseAsync(process.argv);
