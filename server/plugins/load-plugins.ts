/**
 * Finds and loads plugins: processors and controller services from (a) plugin folders — `.ts`/`.js`/`.mjs`
 * modules and package folders — and (b) npm packages of a data directory (listed in `plugins.json`, or carrying
 * the `sluice-plugin` keyword in `node_modules`) and of the host's own node_modules. Each plugin is checked (SDK
 * range, definitions as built-ins are) and either loaded whole or refused with its path and the reason; one broken
 * plugin never stops the others or the server. See docs/plugins.md.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SDK_VERSION } from '../../sdk/index';
import type { ProcessorDefinition } from '../engine/contract';
import type { ServiceDefinition } from '../services/service-contract';
import { type PluginOrigin, setPluginOrigin } from './plugin-origin';
import { rangeMajor, satisfies } from './sdk-range';
import { isProcessorDefinition, isServiceDefinition, processorProblems, serviceProblems } from './validate-plugin';

export const PLUGIN_KEYWORD = 'sluice-plugin';
export const HOST_NODE_MODULES = path.resolve(import.meta.dirname, '../../node_modules');
const MODULE_FILE = /\.(ts|js|mjs)$/;
const NOT_A_MODULE = /\.(d|test|spec)\.(ts|js|mjs)$/;

export interface PluginSources {
  /** Plugin folders; a missing one is an error only when `explicit` (the default DATA/plugins may be absent). */
  dirs?: { path: string; explicit: boolean }[];
  /** The data directory whose `plugins.json` and `node_modules` are read. */
  dataDir?: string;
  /** Also look for `sluice-plugin` packages in this node_modules (the host's own). */
  hostModules?: string;
}

export interface LoadedPlugin extends PluginOrigin {
  processors: string[];
  services: string[];
}

export interface PluginFailure {
  /** The module file, package folder or plugins.json the problem is in. */
  path: string;
  error: string;
}

export interface PluginLoad {
  processors: ProcessorDefinition[];
  services: ServiceDefinition[];
  loaded: LoadedPlugin[];
  failures: PluginFailure[];
}

interface Candidate {
  kind: 'module' | 'package';
  path: string;
}

/** Registers the `@sluice/sdk` resolution hook once per process (see sdk-hooks.mjs). */
export function registerSdkHook(): void {
  const key = Symbol.for('sluice.sdk-hooks');
  const global = globalThis as Record<symbol, unknown>;
  if (global[key]) return;
  global[key] = true;
  register(pathToFileURL(path.join(import.meta.dirname, 'sdk-hooks.mjs')));
}

/**
 * Loads every plugin `sources` name. `taken`: the processor and service type names already registered (the
 * built-ins); a plugin type may not reuse one, nor one of an earlier plugin.
 */
export async function loadPlugins(
  sources: PluginSources,
  taken: { processors: readonly string[]; services: readonly string[] },
): Promise<PluginLoad> {
  const result: PluginLoad = { processors: [], services: [], loaded: [], failures: [] };
  const candidates = await findCandidates(sources, result.failures);
  if (candidates.length === 0) return result;
  registerSdkHook();
  const processorTypes = new Set(taken.processors);
  const serviceTypes = new Set(taken.services);
  for (const candidate of candidates) {
    try {
      const { origin, processors, services } = await loadCandidate(candidate);
      const problems = [
        ...processors.flatMap((p) => processorProblems(p, processorTypes)),
        ...services.flatMap((s) => serviceProblems(s, serviceTypes)),
      ];
      const types = processors.map((p) => p.type);
      if (new Set(types).size !== types.length) problems.push('a processor type is declared twice');
      if (problems.length > 0) throw new Error(problems.join('; '));
      for (const d of [...processors, ...services]) setPluginOrigin(d, origin);
      for (const p of processors) processorTypes.add(p.type);
      for (const s of services) serviceTypes.add(s.type);
      result.processors.push(...processors);
      result.services.push(...services);
      result.loaded.push({ ...origin, processors: types, services: services.map((s) => s.type) });
    } catch (err) {
      result.failures.push({ path: candidate.path, error: (err as Error)?.message ?? String(err) });
    }
  }
  return result;
}

async function findCandidates(sources: PluginSources, failures: PluginFailure[]): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  const add = async (c: Candidate) => {
    const real = await realpath(c.path).catch(() => c.path);
    if (seen.has(real)) return;
    seen.add(real);
    candidates.push(c);
  };
  for (const dir of sources.dirs ?? []) {
    if (!existsSync(dir.path)) {
      if (dir.explicit) failures.push({ path: dir.path, error: 'the plugins folder does not exist' });
      continue;
    }
    for (const entry of (await readdir(dir.path, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const full = path.join(dir.path, entry.name);
      if (entry.isDirectory() || entry.isSymbolicLink()) {
        if (existsSync(path.join(full, 'package.json'))) await add({ kind: 'package', path: full });
      } else if (MODULE_FILE.test(entry.name) && !NOT_A_MODULE.test(entry.name))
        await add({ kind: 'module', path: full });
    }
  }
  if (sources.dataDir) {
    const modules = path.join(sources.dataDir, 'node_modules');
    const listFile = path.join(sources.dataDir, 'plugins.json');
    if (existsSync(listFile)) {
      try {
        const list = JSON.parse(await readFile(listFile, 'utf8')) as { packages?: unknown };
        if (!Array.isArray(list.packages) || !list.packages.every((p) => typeof p === 'string'))
          throw new Error('expected {"packages": ["name", ...]}');
        for (const name of list.packages as string[]) {
          const dir = path.join(modules, name);
          if (existsSync(path.join(dir, 'package.json'))) await add({ kind: 'package', path: dir });
          else failures.push({ path: listFile, error: `package "${name}" is not installed in ${modules}` });
        }
      } catch (err) {
        failures.push({ path: listFile, error: (err as Error).message });
      }
    }
    for (const dir of await keywordPackages(modules)) await add({ kind: 'package', path: dir });
  }
  if (sources.hostModules)
    for (const dir of await keywordPackages(sources.hostModules)) await add({ kind: 'package', path: dir });
  return candidates;
}

/** The package folders directly in `modules` (and its @scopes) whose package.json has the plugin keyword. */
async function keywordPackages(modules: string): Promise<string[]> {
  if (!existsSync(modules)) return [];
  const dirs: string[] = [];
  const names = await readdir(modules);
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) {
      const scoped = await readdir(path.join(modules, name)).catch(() => [] as string[]);
      dirs.push(...scoped.sort().map((s) => path.join(modules, name, s)));
    } else dirs.push(path.join(modules, name));
  }
  const found: string[] = [];
  for (const dir of dirs) {
    const pkg = await readFile(path.join(dir, 'package.json'), 'utf8').catch(() => undefined);
    if (!pkg?.includes(PLUGIN_KEYWORD)) continue;
    try {
      const keywords = (JSON.parse(pkg) as { keywords?: unknown }).keywords;
      if (Array.isArray(keywords) && keywords.includes(PLUGIN_KEYWORD)) found.push(dir);
    } catch {
      // Not a package we can read: not a plugin.
    }
  }
  return found;
}

interface PackageJson {
  name?: string;
  version?: string;
  main?: string;
  exports?: unknown;
  sluice?: { sdk?: string };
}

/** A package's entry module: `exports` (a string, or "." with import/default), else `main`, else index.js. */
function packageEntry(pkg: PackageJson): string {
  let exp = pkg.exports;
  if (exp && typeof exp === 'object' && '.' in exp) exp = (exp as Record<string, unknown>)['.'];
  if (exp && typeof exp === 'object') {
    const conditions = exp as Record<string, unknown>;
    exp = conditions.import ?? conditions.default ?? conditions.node;
  }
  if (typeof exp === 'string') return exp;
  return pkg.main ?? 'index.js';
}

function checkSdk(name: string, range: unknown): void {
  if (range === undefined) return;
  if (typeof range !== 'string') throw new Error(`plugin ${name}: the SDK range must be a string like "^1.0.0"`);
  const ok = satisfies(SDK_VERSION, range);
  if (typeof ok === 'string') throw new Error(`plugin ${name}: ${ok}`);
  if (!ok) {
    const major = rangeMajor(range);
    throw new Error(
      `plugin ${name} was built for SDK ${major === undefined ? range : `${major}.x`} ("${range}"); this Sluice has SDK ${SDK_VERSION}`,
    );
  }
}

async function loadCandidate(
  candidate: Candidate,
): Promise<{ origin: PluginOrigin; processors: ProcessorDefinition[]; services: ServiceDefinition[] }> {
  let origin: PluginOrigin;
  let entry: string;
  let range: unknown;
  if (candidate.kind === 'package') {
    let pkg: PackageJson;
    try {
      pkg = JSON.parse(await readFile(path.join(candidate.path, 'package.json'), 'utf8')) as PackageJson;
    } catch (err) {
      throw new Error(`cannot read its package.json: ${(err as Error).message}`);
    }
    origin = { name: pkg.name ?? path.basename(candidate.path), version: pkg.version, path: candidate.path };
    // Checked before importing: code built against another SDK may not even load.
    checkSdk(origin.name, pkg.sluice?.sdk);
    range = pkg.sluice?.sdk;
    entry = path.resolve(candidate.path, packageEntry(pkg));
    if (!(await stat(entry).catch(() => undefined))?.isFile())
      throw new Error(`its entry module ${entry} does not exist (package.json "exports"/"main")`);
  } else {
    origin = { name: path.basename(candidate.path).replace(MODULE_FILE, ''), path: candidate.path };
    entry = candidate.path;
  }
  const mod = (await importModule(entry, candidate.kind === 'module')) as { default?: unknown };
  const exported = (mod.default ?? mod) as {
    sdk?: unknown;
    version?: unknown;
    processors?: unknown;
    services?: unknown;
  };
  if (range === undefined) checkSdk(origin.name, exported?.sdk);
  if (candidate.kind === 'module' && typeof exported?.version === 'string') origin.version = exported.version;
  let processors: unknown[] = [];
  let services: unknown[] = [];
  if (isProcessorDefinition(exported)) processors = [exported];
  else if (isServiceDefinition(exported)) services = [exported];
  else if (exported && typeof exported === 'object' && ('processors' in exported || 'services' in exported)) {
    if (exported.processors !== undefined && !Array.isArray(exported.processors))
      throw new Error('"processors" must be an array of processor definitions');
    if (exported.services !== undefined && !Array.isArray(exported.services))
      throw new Error('"services" must be an array of service definitions');
    processors = (exported.processors as unknown[] | undefined) ?? [];
    services = (exported.services as unknown[] | undefined) ?? [];
  } else
    throw new Error(
      'its default export is neither { sdk?, processors?, services? } nor a processor or service definition',
    );
  if (processors.length + services.length === 0) throw new Error('it declares no processors and no services');
  const badProcessor = processors.findIndex((p) => !isProcessorDefinition(p));
  if (badProcessor >= 0) throw new Error(`processors[${badProcessor}] is not a processor definition (no onTrigger)`);
  const badService = services.findIndex((s) => !isServiceDefinition(s));
  if (badService >= 0) throw new Error(`services[${badService}] is not a service definition (no provides)`);
  return { origin, processors: processors as ProcessorDefinition[], services: services as ServiceDefinition[] };
}

/**
 * Imports a plugin module. A loose module of a plugins folder is marked (sdk-hooks.mjs) so it loads as ESM even
 * where no package.json says "type": "module" (tsx would take a `.ts`/`.js` file there for CommonJS).
 */
async function importModule(file: string, loose: boolean): Promise<unknown> {
  return import(`${pathToFileURL(file).href}${loose ? '?sluice-plugin-module' : ''}`);
}

/** One line per failure and a summary, as `sluice serve` logs them at start. */
export function reportPlugins(
  load: PluginLoad,
  logger: { info(obj: object, msg: string): void; error(obj: object, msg: string): void },
): void {
  for (const f of load.failures)
    logger.error({ plugin: f.path, err: f.error }, `plugin not loaded: ${f.path}: ${f.error}`);
  if (load.loaded.length + load.failures.length === 0) return;
  logger.info(
    {
      loaded: load.loaded.map((p) => ({ name: p.name, version: p.version, path: p.path, processors: p.processors })),
      failed: load.failures,
    },
    `plugins: ${load.loaded.length} loaded${load.loaded.length ? ` (${load.loaded.map((p) => p.name).join(', ')})` : ''}, ${load.failures.length} failed`,
  );
}
