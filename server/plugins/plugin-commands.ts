/** `sluice processors` (the processor reference, built-ins and plugins) and `sluice new-processor` (the scaffold). */
import path from 'node:path';
import type { Command } from 'commander';
import { createRegistry } from '../../processors/registry';
import { describe } from '../api/processors.routes';
import { pluginsFor, pluginsOption, printPluginFailures } from './plugin-cli';
import { scaffoldProcessor } from './scaffold';

export function addPluginCommands(program: Command): void {
  program
    .command('processors')
    .description('List the processor types a flow may use: the built-ins and those of the loaded plugins.')
    .option('--json', 'print them as JSON, as GET /api/processors answers')
    .option('--data <dir>', 'the data directory serve would use (its plugins)', process.env.SLUICE_DATA ?? './data')
    .addOption(pluginsOption('default: DATA/plugins; also npm packages, see docs/plugins.md'))
    .action(async (opts: { json?: boolean; data: string; plugins?: string }) => {
      const plugins = await pluginsFor(opts, true);
      printPluginFailures(plugins, 'processors');
      const types = createRegistry(plugins.processors, plugins.services).list().map(describe);
      if (opts.json) process.stdout.write(`${JSON.stringify(types, null, 2)}\n`);
      else
        for (const t of types)
          process.stdout.write(
            `${t.type.padEnd(20)} ${t.category.padEnd(10)} ${t.description}${t.plugin ? ` [plugin ${t.plugin.name}${t.plugin.version ? `@${t.plugin.version}` : ''}]` : ''}\n`,
          );
      if (plugins.failures.length > 0) process.exitCode = 1;
    });

  program
    .command('new-processor')
    .description('Create a plugin package with one processor, its test and a README (see docs/plugins.md).')
    .argument('<name>', 'the processor type, PascalCase, e.g. MyThing')
    .option('--dir <dir>', 'where to create the package folder', '.')
    .action(async (name: string, opts: { dir: string }) => {
      try {
        const created = await scaffoldProcessor(name, path.resolve(opts.dir));
        process.stdout.write(`created ${created}\nnext: cd ${created} && npm test\n`);
      } catch (err) {
        process.stderr.write(`sluice new-processor: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
