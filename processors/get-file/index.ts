import { constants, type Dirent, type Stats } from 'node:fs';
import { open, readdir, realpath, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { defineProcessor, duration } from '../../sdk';
import { ConfinementError, checkAllowedDirectory, insideAny, isInside, openedPath, realRoots } from '../file-access';

/**
 * The files under `root` (a real path), as paths relative to it. Directory links are entered only with
 * `follow`, and only when they resolve inside `roots` (each real directory once: a link loop ends).
 */
async function listFiles(root: string, recurse: boolean, follow: boolean, roots: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  const visited = new Set<string>([root]);
  const pending: { dir: string; rel: string }[] = [{ dir: root, rel: '' }];
  while (pending.length > 0) {
    const { dir, rel } = pending.pop()!;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (rel === '') throw err;
      continue; // a subdirectory removed or unreadable meanwhile
    }
    for (const entry of entries) {
      const childRel = rel === '' ? entry.name : path.join(rel, entry.name);
      const child = path.join(dir, entry.name);
      if (entry.isFile()) files.push(childRel);
      else if (entry.isDirectory()) {
        if (recurse) pending.push({ dir: child, rel: childRel });
      } else if (entry.isSymbolicLink() && follow) {
        const info = await stat(child).catch(() => undefined);
        if (info?.isFile()) files.push(childRel);
        else if (info?.isDirectory() && recurse) {
          const real = await realpath(child).catch(() => undefined);
          if (real && !visited.has(real) && insideAny(roots, real)) {
            visited.add(real);
            pending.push({ dir: real, rel: childRel });
          }
        }
      }
    }
  }
  return files.sort();
}

export default defineProcessor({
  type: 'GetFile',
  category: 'source',
  description:
    'Reads files from a directory, one FlowFile per file, with filename, path, absolute.path, file.size and file.lastModifiedTime attributes.',
  input: 'forbidden',
  config: {
    type: 'object',
    additionalProperties: false,
    required: ['directory'],
    properties: {
      directory: { type: 'string', minLength: 1, default: './data/in', description: 'Directory to read from.' },
      filter: { type: 'string', minLength: 1, default: '*', description: 'Glob on the file name, e.g. "*.csv".' },
      recurse: { type: 'boolean', default: false, description: 'Also read subdirectories.' },
      keepSourceFile: {
        type: 'boolean',
        default: false,
        description:
          'Leave the file in place (it is read again only when its modification time changes; the marks persist across restarts); otherwise delete it after the session commits.',
      },
      minAge: duration('Skip files modified more recently than this (still being written).', '0s'),
      ignoreHidden: { type: 'boolean', default: true, description: 'Skip files whose name starts with a dot.' },
      followSymlinks: {
        type: 'boolean',
        default: false,
        description:
          'Follow symbolic links to files and (with recurse) directories, as long as they resolve inside the allowed directories (off by default).',
      },
      batchSize: { type: 'integer', minimum: 1, maximum: 1000, default: 10, description: 'Files per session.' },
    },
  },
  relationships: [{ name: 'success', description: 'One FlowFile per file read.' }],
  validate: (config, { allowedDirs }) => checkAllowedDirectory(config.directory, '/directory', allowedDirs),
  setup: (config, ctx) => ({
    root: path.resolve(config.directory),
    matches: picomatch(config.filter, { dot: !config.ignoreHidden }),
    minAgeMs: config.minAge,
    // keepSourceFile: relative path -> modification time (ms) of the version read, as last committed.
    seen: new Map<string, string>(Object.entries(ctx.getState() ?? {})),
    claimed: new Set<string>(),
  }),
  async onTrigger(session, { config, state, allowedDirs, yield: yieldNow }) {
    // Resolved on every trigger: the directory (or a parent) may have become a link since the flow was saved.
    const roots = await realRoots(allowedDirs);
    let realRoot: string;
    let entries: string[];
    try {
      realRoot = await realpath(state.root);
      if (!insideAny(roots, realRoot))
        throw new ConfinementError(
          `directory "${state.root}" resolves to "${realRoot}", outside the allowed directories: ${allowedDirs.join(', ')}`,
        );
      entries = await listFiles(realRoot, config.recurse, config.followSymlinks, roots);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return yieldNow();
      throw err;
    }
    // A file may be read from where it lives: inside the directory, or (following links) the allowed roots.
    const readable = (real: string) => (config.followSymlinks ? insideAny(roots, real) : isInside(realRoot, real));
    const now = Date.now();
    let taken = 0;
    const present = new Set(entries);
    const marks = new Map([...state.seen].filter(([rel]) => present.has(rel)));
    for (const rel of entries) {
      if (taken >= config.batchSize) break;
      const name = path.basename(rel);
      if (config.ignoreHidden && rel.split(path.sep).some((part) => part.startsWith('.'))) continue;
      if (!state.matches(name)) continue;
      const file = path.join(realRoot, rel);
      if (state.claimed.has(file)) continue;
      const wanted = (info: Stats) =>
        !(state.minAgeMs > 0 && now - info.mtimeMs < state.minAgeMs) &&
        !(config.keepSourceFile && state.seen.get(rel) === String(info.mtimeMs));
      const read = await readConfined(file, config.followSymlinks, readable, wanted);
      if (!read) continue;
      const { info, content } = read;
      const mtime = String(info.mtimeMs);
      taken++;
      const dir = path.dirname(rel);
      const ff = session.create({
        content,
        attributes: {
          filename: name,
          path: dir === '.' ? './' : `${dir}/`,
          'absolute.path': `${path.dirname(file)}/`,
          'file.size': String(info.size),
          'file.lastModifiedTime': new Date(info.mtimeMs).toISOString(),
        },
      });
      session.reportReceive(ff, `file://${file}`);
      session.transfer(ff, 'success');
      state.claimed.add(file);
      marks.set(rel, mtime);
      session.afterCommit(async () => {
        state.claimed.delete(file);
        if (config.keepSourceFile) state.seen.set(rel, mtime);
        else await unlinkConfined(file, readable);
      });
      session.afterRollback(() => {
        state.claimed.delete(file);
      });
    }
    // The marks commit with the FlowFiles: after a restart a kept file is neither read again nor skipped.
    if (config.keepSourceFile && taken > 0) {
      session.setState(Object.fromEntries(marks));
      session.afterCommit(() => {
        for (const rel of state.seen.keys()) if (!present.has(rel)) state.seen.delete(rel);
      });
    }
    if (taken === 0) yieldNow();
  },
});

/**
 * Opens `file` without following a final link (unless `follow`), then checks where the open descriptor really
 * points: a directory swapped for a link between listing and reading cannot lead the read outside.
 */
async function readConfined(
  file: string,
  follow: boolean,
  readable: (real: string) => boolean,
  wanted: (info: Stats) => boolean,
) {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (follow ? 0 : constants.O_NOFOLLOW);
  const handle = await open(file, flags).catch(() => undefined);
  if (!handle) return undefined;
  try {
    const info = await handle.stat();
    if (!info.isFile() || !wanted(info) || !readable(await openedPath(handle, file))) return undefined;
    return { info, content: await handle.readFile() };
  } finally {
    await handle.close();
  }
}

/** Deletes a file read earlier, after resolving its directory again (it must still be where it was read). */
async function unlinkConfined(file: string, readable: (real: string) => boolean): Promise<void> {
  const parent = await realpath(path.dirname(file));
  if (!readable(parent))
    throw new ConfinementError(`not deleting "${file}": its directory now resolves to "${parent}"`);
  await unlink(path.join(parent, path.basename(file)));
}
