/**
 * File confinement for the file processors: every decision is made on real paths (symbolic links resolved),
 * never on the text of a path, because a link inside an allowed directory can point anywhere.
 */
import { realpathSync } from 'node:fs';
import { type FileHandle, mkdir, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { ConfigIssue } from '../sdk';

/** A path that would leave its confinement; the message says which and where it leads. */
export class ConfinementError extends Error {}

export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

const isMissing = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

/**
 * The real path of the deepest part of `target` that exists, and the names below it that do not exist yet
 * (none when the whole path exists). Synchronous: config validation is.
 */
export function resolveExistingSync(target: string): { real: string; missing: string[] } {
  const missing: string[] = [];
  let current = path.resolve(target);
  for (;;) {
    try {
      return { real: realpathSync(current), missing };
    } catch (err) {
      const parent = path.dirname(current);
      if (!isMissing(err) || parent === current) throw err;
      missing.unshift(path.basename(current));
      current = parent;
    }
  }
}

/** As `resolveExistingSync`, without blocking. */
export async function resolveExisting(target: string): Promise<{ real: string; missing: string[] }> {
  const missing: string[] = [];
  let current = path.resolve(target);
  for (;;) {
    try {
      return { real: await realpath(current), missing };
    } catch (err) {
      const parent = path.dirname(current);
      if (!isMissing(err) || parent === current) throw err;
      missing.unshift(path.basename(current));
      current = parent;
    }
  }
}

/** What `target` will resolve to: the real path of its existing part joined with the part still to create. */
export function projectedRealPathSync(target: string): string {
  const { real, missing } = resolveExistingSync(target);
  return path.join(real, ...missing);
}

/** The allowed roots as real paths (a root that does not exist yet resolves through its existing ancestor). */
export async function realRoots(allowedDirs: readonly string[]): Promise<string[]> {
  return Promise.all(
    allowedDirs.map(async (dir) => {
      const { real, missing } = await resolveExisting(dir);
      return path.join(real, ...missing);
    }),
  );
}

/** True when `real` (a real path) lies under one of `roots` (real paths); no roots = unrestricted. */
export function insideAny(roots: readonly string[], real: string): boolean {
  return roots.length === 0 || roots.some((root) => isInside(root, real));
}

/**
 * A directory named in a config must lie under one of the allowed roots (when any are configured), after
 * resolving symbolic links in both: `data/link -> /etc` is /etc.
 */
export function checkAllowedDirectory(dir: string, configPath: string, allowedDirs: readonly string[]): ConfigIssue[] {
  if (allowedDirs.length === 0) return [];
  const resolved = path.resolve(dir);
  let real: string;
  let roots: string[];
  try {
    real = projectedRealPathSync(resolved);
    roots = allowedDirs.map((root) => projectedRealPathSync(root));
  } catch (err) {
    return [{ path: configPath, message: `directory "${resolved}" cannot be resolved: ${(err as Error).message}` }];
  }
  if (insideAny(roots, real)) return [];
  const via = real === resolved ? '' : ` (it resolves to "${real}" through a symbolic link)`;
  return [
    {
      path: configPath,
      message: `directory "${resolved}"${via} is outside the allowed directories: ${allowedDirs.join(', ')}`,
    },
  ];
}

/**
 * The real path of `dir`, which must lie under one of `roots` (real paths; none = unrestricted). Missing
 * directories are created one level at a time only after their existing ancestor was resolved and checked, so
 * nothing is ever created outside; `create: false` fails on a missing directory instead.
 */
export async function confinedDirectory(dir: string, roots: readonly string[], create: boolean): Promise<string> {
  const { real, missing } = await resolveExisting(dir);
  if (!insideAny(roots, real))
    throw new ConfinementError(`"${dir}" resolves to "${real}", outside ${roots.join(', ')}`);
  if (missing.length > 0 && !create)
    throw Object.assign(new Error(`ENOENT: directory "${dir}" does not exist`), { code: 'ENOENT' });
  let current = real;
  for (const name of missing) {
    const next = path.join(current, name);
    try {
      await mkdir(next);
      current = next;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // Created meanwhile (another task, or someone placing a link): resolve and check it again.
      current = await realpath(next);
      if (!insideAny(roots, current))
        throw new ConfinementError(`"${next}" resolves to "${current}", outside ${roots.join(', ')}`);
    }
  }
  return current;
}

/**
 * The real path of an open file: on Linux, what the descriptor itself points at (no window between a check
 * and the open); elsewhere, the real path of `file` now.
 */
export async function openedPath(handle: FileHandle, file: string): Promise<string> {
  try {
    return await readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    return realpath(file);
  }
}

/**
 * Resolves a FlowFile-supplied relative path under `root`, refusing any escape (`../`, absolute paths,
 * NUL bytes). Returns undefined when the name would leave the directory. Text only: the caller resolves links.
 */
export function confinedPath(root: string, relative: string): string | undefined {
  if (relative.includes('\0')) return undefined;
  const base = path.resolve(root);
  const target = path.resolve(base, relative);
  return isInside(base, target) && target !== base ? target : undefined;
}
