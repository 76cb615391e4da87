/**
 * The SDK boundary, checked (sdk/boundary.test.ts): a processor, a controller service or a plugin imports the SDK
 * (sdk/index.ts; its tests also sdk/testing.ts), its own shared code, node built-ins and npm packages, never the
 * server. What counts as an import is what TypeScript's pre-processor finds: `import … from`, `import '…'`,
 * `export … from`, `import('…')` and `require('…')`, string literals only, comments ignored.
 *
 * | file under            | may import by relative path                                             |
 * |-----------------------|-------------------------------------------------------------------------|
 * | processors/, services/ | processors/, services/, sdk/index (tests: sdk/testing, test/helpers/)  |
 * | plugins/<name>/        | its own folder only (the SDK as `@sluice/sdk`, tests `@sluice/sdk/testing`) |
 *
 * Test code is `*.test.ts` and `*test-kit.ts` (helpers only tests import); it reaches the engine through
 * sdk/testing, not server/, so one rule holds for every file; it may also use the repository's test
 * infrastructure, test/helpers/ (real brokers, free ports, waiting). One wiring file is allowed more (WIRING).
 */
import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export interface Violation {
  /** Repository-relative path, '/'-separated. */
  file: string;
  line: number;
  specifier: string;
  reason: string;
}

/** The roots scanned, repository-relative. */
export const SCANNED_ROOTS = ['processors', 'services', 'plugins'] as const;

/**
 * Files allowed specific server imports, with why. processors/registry.ts assembles the built-ins into the
 * engine's registry (server/ and processors/ meet there; tests across the repository import it).
 */
const WIRING: Readonly<Record<string, readonly string[]>> = {
  'processors/registry.ts': ['server/engine/processor-registry', 'server/services/service-registry'],
};

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'data', 'coverage']);

export function isTestFile(file: string): boolean {
  return /\.test\.[cm]?[jt]s$/.test(file) || /test-kit\.[cm]?[jt]s$/.test(file);
}

/** Every import specifier in `source`, with its 1-based line. */
export function importsOf(source: string): { line: number; specifier: string }[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') starts.push(i + 1);
  const lineAt = (pos: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((f) => ({ line: lineAt(f.pos), specifier: f.fileName }));
}

/** The module a relative specifier names, repository-relative, without extension or `/index`. */
function target(file: string, specifier: string): string {
  const resolved = posix.normalize(posix.join(posix.dirname(file), specifier));
  return resolved.replace(/\.(ts|mts|cts|js|mjs|cjs)$/, '').replace(/\/index$/, '');
}

/** Why `specifier`, imported by repository file `file`, crosses the boundary; undefined when it may. */
export function violationOf(file: string, specifier: string): string | undefined {
  const test = isTestFile(file);
  const plugin = /^plugins\/[^/]+\//.exec(file)?.[0];
  if (specifier === '@sluice/sdk/testing' && !test) return 'the SDK test entry is for tests only';
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return undefined; // node built-in or package
  const to = specifier.startsWith('/') ? specifier : target(file, specifier);
  if (to.startsWith('..') || to.startsWith('/')) return 'outside the repository';
  if (plugin) {
    return `${to}/`.startsWith(plugin) ? undefined : `a plugin imports its own files and @sluice/sdk only`;
  }
  if (to === 'sdk') return undefined;
  if (to === 'sdk/testing') return test ? undefined : 'the SDK test entry (sdk/testing) is for tests only';
  if (to.startsWith('sdk/')) return 'import the SDK entry (sdk/index.ts), not its files';
  if (to.startsWith('processors/') || to.startsWith('services/') || to === 'processors' || to === 'services')
    return undefined;
  if (test && to.startsWith('test/helpers/')) return undefined; // brokers to test against, ports, waiting
  if (WIRING[file]?.includes(to)) return undefined;
  const area = to.split('/')[0];
  return `reaches into ${area}/ past the SDK: import it from the SDK (sdk/index.ts${test ? ' or sdk/testing.ts' : ''})`;
}

/** The violations in one file's source. */
export function checkSource(file: string, source: string): Violation[] {
  const found: Violation[] = [];
  for (const { line, specifier } of importsOf(source)) {
    const reason = violationOf(file, specifier);
    if (reason) found.push({ file, line, specifier, reason });
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return []; // a root that does not exist (no plugins/)
  }
  return entries.flatMap((e) => {
    if (e.isDirectory()) return SKIPPED_DIRS.has(e.name) ? [] : sourceFiles(join(dir, e.name));
    return SOURCE.test(e.name) && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [];
  });
}

/** Every violation under the scanned roots of the repository at `root`. */
export function boundaryViolations(root: string): Violation[] {
  return SCANNED_ROOTS.flatMap((r) => sourceFiles(join(root, r))).flatMap((path) =>
    checkSource(relative(root, path).split(sep).join('/'), readFileSync(path, 'utf8')),
  );
}

/** The repository root (this file's parent directory). */
export const REPOSITORY_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
