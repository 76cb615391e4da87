import path from 'node:path';
import { Command, Option } from 'commander';
import { createRegistry } from '../processors/registry';
import { FlowEngine } from './engine/flow-engine';
import { parseDuration } from './engine/units';
import { loadFlowFile } from './flow-loader';
import { createLogger } from './logger';
import { formatIssue } from './validation/ajv';

const program = new Command('sluice').description('Visual, flow-based data pipelines.').showHelpAfterError();

program
  .command('validate')
  .description('Validate flow files; prints one line per error as "file: /json/path: message".')
  .argument('<flows...>', 'flow JSON files')
  .action(async (files: string[]) => {
    const registry = createRegistry();
    let failed = false;
    for (const file of files) {
      const check = await loadFlowFile(file, registry);
      if (check.ok) continue;
      failed = true;
      for (const issue of check.issues) process.stdout.write(`${file}: ${formatIssue(issue)}\n`);
    }
    process.exitCode = failed ? 1 : 0;
  });

program
  .command('run')
  .description('Run a flow headless and print its final status as JSON.')
  .argument('<flow>', 'flow JSON file')
  .option('--until-idle', 'stop once sources are exhausted and every queue is empty')
  .option('--timeout <duration>', 'stop after this long', '30s')
  .action(async (file: string, opts: { untilIdle?: boolean; timeout: string }) => {
    const registry = createRegistry();
    const check = await loadFlowFile(file, registry);
    if (!check.ok) {
      for (const issue of check.issues) process.stderr.write(`${file}: ${formatIssue(issue)}\n`);
      process.exitCode = 1;
      return;
    }
    const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
    const engine = new FlowEngine(check.resolved, registry, { logger });
    const timeoutMs = parseDuration(opts.timeout);
    const failures = await engine.start();
    for (const f of failures) process.stderr.write(`${file}: processor ${f.processorId} failed to start: ${f.error}\n`);
    let idle = false;
    if (opts.untilIdle) idle = await engine.waitUntilIdle(timeoutMs);
    else await new Promise((resolve) => setTimeout(resolve, timeoutMs));
    await engine.stop();
    engine.tick();
    process.stdout.write(`${JSON.stringify(engine.status(), null, 2)}\n`);
    if (opts.untilIdle && !idle) {
      process.stderr.write(`${file}: not idle after ${opts.timeout}\n`);
      process.exitCode = 2;
    } else if (failures.length > 0) process.exitCode = 1;
  });

program
  .command('serve')
  .description('Serve the API and the UI, running the stored flows (the example flows on first start).')
  .option('--port <port>', 'port', (v) => Number.parseInt(v, 10), Number(process.env.PORT ?? 8080))
  .option('--host <host>', 'interface to bind', process.env.HOST ?? '127.0.0.1')
  .option('--data <dir>', 'data directory', process.env.SLUICE_DATA ?? './data')
  .addOption(new Option('--allow-dir <dir...>', 'directories file processors may use (default: the data directory)'))
  .action(async (opts: { port: number; host: string; data: string; allowDir?: string[] }) => {
    const dataDir = path.resolve(opts.data);
    const { startServer } = await import('./serve');
    const server = await startServer({
      port: opts.port,
      host: opts.host,
      dataDir,
      allowedDirs: opts.allowDir?.map((d) => path.resolve(d)),
    });
    const shutdown = async () => {
      await server.close();
      process.exit(0);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });

await program.parseAsync(process.argv);
