/**
 * `sluice test [paths...]`: runs flow test files (`*.test.json`, see docs/flow-tests.md) in process, without a
 * server. A path may be a file or a directory (searched recursively); none: every `*.test.json` under ./flows.
 * One line per case, the failures' details and a summary; `--reporter junit` writes JUnit XML to `--output`
 * (or stdout). Exit code 0 all passed, 1 a case failed, 2 a test file (or its flow) is invalid or none found.
 */
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { createRegistry } from '../../processors/registry';
import { toJunit } from '../flow-tests/junit';
import { TEST_FILE_SUFFIX } from '../flow-tests/load';
import { counts, type FlowTestFileResult, formatFileResult, formatSummary } from '../flow-tests/report';
import { runFlowTestFile } from '../flow-tests/run-file';
import { loadParameterFiles } from '../parameters/parameters-file';
import { pluginsFor, pluginsOption, printPluginFailures } from '../plugins/plugin-cli';

interface TestCliOptions {
  reporter: 'text' | 'junit';
  output?: string;
  parameters?: string[];
  plugins?: string;
}

const DEFAULT_DIR = 'flows';

export function addTestCommand(program: Command): void {
  program
    .command('test')
    .description(
      `Run flow tests (*${TEST_FILE_SUFFIX}) in process: one line per case, then a summary. Exit 1 when a case fails, 2 when a test file is invalid.`,
    )
    .argument('[paths...]', `test files or directories to search (default: ./${DEFAULT_DIR})`)
    .addOption(new Option('--reporter <name>', 'text or junit').choices(['text', 'junit']).default('text'))
    .option('--output <file>', 'with --reporter junit: write the XML here (default: stdout)')
    .addOption(
      new Option(
        '--parameters <file>',
        'JSON file of parameter name → value, as for `sluice run` (repeatable; a later file wins)',
      ).argParser((file: string, previous: string[] = []) => [...previous, file]),
    )
    .addOption(pluginsOption('default: none'))
    .action(async (paths: string[], opts: TestCliOptions) => {
      const fail = (message: string) => {
        process.stderr.write(`sluice test: ${message}\n`);
        process.exitCode = 2;
      };
      let parameters: Record<string, string> | undefined;
      if (opts.parameters?.length) {
        const loaded = await loadParameterFiles(opts.parameters);
        if (!loaded.ok) return fail(loaded.error);
        parameters = loaded.values;
      }
      const files: string[] = [];
      for (const p of paths.length > 0 ? paths : [DEFAULT_DIR]) {
        const found = await testFilesIn(p);
        if (found === undefined) return fail(`"${p}" does not exist`);
        files.push(...found);
      }
      if (files.length === 0) return fail(`no *${TEST_FILE_SUFFIX} files in ${paths.join(', ') || `./${DEFAULT_DIR}`}`);
      const plugins = await pluginsFor(opts, false);
      printPluginFailures(plugins, 'test');
      const registry = createRegistry(plugins.processors, plugins.services);
      // The XML alone goes to stdout when it has no file of its own; the text report then goes to stderr.
      const xmlOnStdout = opts.reporter === 'junit' && !opts.output;
      const out = (text: string) => (xmlOnStdout ? process.stderr : process.stdout).write(text);
      const started = Date.now();
      const results: FlowTestFileResult[] = [];
      for (const file of files) {
        const result = await runFlowTestFile(file, { registry, ...(parameters && { parameters }) });
        results.push(result);
        out(formatFileResult(result));
      }
      out(formatSummary(results, Date.now() - started));
      if (opts.reporter === 'junit') {
        if (opts.output) await writeFile(opts.output, toJunit(results), 'utf8');
        else process.stdout.write(toJunit(results));
      }
      const { failed, invalid } = counts(results);
      process.exitCode = invalid > 0 ? 2 : failed > 0 ? 1 : 0;
    });
}

/** `p` itself when a file, its `*.test.json` files (recursively, sorted) when a directory; undefined if absent. */
async function testFilesIn(p: string): Promise<string[] | undefined> {
  const info = await stat(p).catch(() => undefined);
  if (!info) return undefined;
  if (!info.isDirectory()) return [p];
  const entries = await readdir(p, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(TEST_FILE_SUFFIX) && !e.parentPath.includes('node_modules'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}
