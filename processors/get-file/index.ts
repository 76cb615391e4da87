import { lstat, readdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { defineProcessor } from '../../server/engine/contract';
import { parseDuration } from '../../server/engine/units';
import { checkAllowedDirectory } from '../file-access';

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
          'Leave the file in place (it is read again only when its modification time changes, and once per run); otherwise delete it after the session commits.',
      },
      minAge: {
        type: 'string',
        pattern: '^\\d+(\\.\\d+)?\\s*(ms|s|sec|secs|m|min|mins|h)$',
        default: '0s',
        description: 'Skip files modified more recently than this (still being written).',
      },
      ignoreHidden: { type: 'boolean', default: true, description: 'Skip files whose name starts with a dot.' },
      followSymlinks: {
        type: 'boolean',
        default: false,
        description: 'Read files that are symbolic links (off by default: a link could point outside the directory).',
      },
      batchSize: { type: 'integer', minimum: 1, maximum: 1000, default: 10, description: 'Files per session.' },
    },
  },
  relationships: [{ name: 'success', description: 'One FlowFile per file read.' }],
  validate: (config, { allowedDirs }) => checkAllowedDirectory(config.directory, '/directory', allowedDirs),
  setup: (config) => ({
    root: path.resolve(config.directory),
    matches: picomatch(config.filter, { dot: !config.ignoreHidden }),
    minAgeMs: parseDuration(config.minAge),
    seen: new Map<string, number>(),
    claimed: new Set<string>(),
  }),
  async onTrigger(session, { config, state, yield: yieldNow }) {
    let entries: string[];
    try {
      entries = (await readdir(state.root, { recursive: config.recurse })) as string[];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return yieldNow();
      throw err;
    }
    const now = Date.now();
    let taken = 0;
    for (const rel of entries.sort()) {
      if (taken >= config.batchSize) break;
      const name = path.basename(rel);
      if (config.ignoreHidden && rel.split(path.sep).some((part) => part.startsWith('.'))) continue;
      if (!state.matches(name)) continue;
      const file = path.join(state.root, rel);
      if (state.claimed.has(file)) continue;
      const info = await (config.followSymlinks ? stat(file) : lstat(file)).catch(() => undefined);
      if (!info?.isFile() || (state.minAgeMs > 0 && now - info.mtimeMs < state.minAgeMs)) continue;
      if (config.keepSourceFile && state.seen.get(file) === info.mtimeMs) continue;
      const content = await readFile(file).catch(() => undefined);
      if (!content) continue;
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
      const mtime = info.mtimeMs;
      session.afterCommit(async () => {
        state.claimed.delete(file);
        if (config.keepSourceFile) state.seen.set(file, mtime);
        else await unlink(file);
      });
      session.afterRollback(() => {
        state.claimed.delete(file);
      });
    }
    if (taken === 0) yieldNow();
  },
});
