/** The `--plugins` option and plugin loading for the CLI commands (serve, run, validate, processors). */
import path from 'node:path';
import { Option } from 'commander';
import { builtinProcessors } from '../../processors/registry';
import { builtinServices } from '../../services/registry';
import { HOST_NODE_MODULES, loadPlugins, type PluginLoad } from './load-plugins';

export function pluginsOption(defaultText: string): Option {
  return new Option('--plugins <dir>', `folder of plugin modules and package folders (${defaultText})`).env(
    'SLUICE_PLUGINS',
  );
}

/**
 * `serve` and `processors` (`everywhere`): the plugins folder (default `<data>/plugins`), the npm packages of the
 * data directory (plugins.json, the `sluice-plugin` keyword) and of the host's node_modules. `run` and `validate`
 * load plugins only when `--plugins` is given: that folder, and the packages of their data directory if any.
 */
export function pluginsFor(
  opts: { plugins?: string; data?: string },
  everywhere: boolean,
): Promise<PluginLoad> | PluginLoad {
  const dataDir = opts.data ? path.resolve(opts.data) : undefined;
  if (!everywhere && !opts.plugins) return { processors: [], services: [], loaded: [], failures: [] };
  const dir = opts.plugins ?? (dataDir && path.join(dataDir, 'plugins'));
  return loadPlugins(
    {
      dirs: dir ? [{ path: path.resolve(dir), explicit: Boolean(opts.plugins) }] : [],
      dataDir,
      hostModules: everywhere || opts.plugins ? HOST_NODE_MODULES : undefined,
    },
    { processors: builtinProcessors.map((p) => p.type), services: builtinServices.map((s) => s.type) },
  );
}

/** For commands without a logger: one stderr line per plugin that did not load. */
export function printPluginFailures(load: PluginLoad, command: string): void {
  for (const f of load.failures) process.stderr.write(`sluice ${command}: plugin not loaded: ${f.path}: ${f.error}\n`);
}
