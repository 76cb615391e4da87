import path from 'node:path';
import type { ConfigIssue } from '../server/engine/contract';

/** A directory named in a config must lie under one of the allowed roots (when any are configured). */
export function checkAllowedDirectory(dir: string, configPath: string, allowedDirs: readonly string[]): ConfigIssue[] {
  if (allowedDirs.length === 0) return [];
  const resolved = path.resolve(dir);
  const ok = allowedDirs.some((root) => isInside(path.resolve(root), resolved));
  return ok
    ? []
    : [
        {
          path: configPath,
          message: `directory "${resolved}" is outside the allowed directories: ${allowedDirs.join(', ')}`,
        },
      ];
}

export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Resolves a FlowFile-supplied relative path under `root`, refusing any escape (`../`, absolute paths,
 * NUL bytes). Returns undefined when the name would leave the directory.
 */
export function confinedPath(root: string, relative: string): string | undefined {
  if (relative.includes('\0')) return undefined;
  const base = path.resolve(root);
  const target = path.resolve(base, relative);
  return isInside(base, target) && target !== base ? target : undefined;
}
