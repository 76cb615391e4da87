import { link, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineProcessor, failWith } from '../../sdk';
import { ConfinementError, checkAllowedDirectory, confinedDirectory, confinedPath, realRoots } from '../file-access';

/**
 * Links `temp` in at `target` unless that name exists (atomically: link fails with EEXIST); with `unique`,
 * tries `name-1.ext`, `name-2.ext`... Returns the path written, or undefined when the name was taken.
 */
async function placeExclusively(temp: string, target: string, unique: boolean): Promise<string | undefined> {
  const { dir, name, ext } = path.parse(target);
  for (let i = 0; ; i++) {
    const candidate = i === 0 ? target : path.join(dir, `${name}-${i}${ext}`);
    try {
      await link(temp, candidate);
      return candidate;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (!unique) return undefined;
    }
  }
}

/** Creates `temp` (never writing through a link planted at that name); a leftover of a crash is replaced. */
async function writeExclusively(temp: string, content: Buffer): Promise<void> {
  try {
    await writeFile(temp, content, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    await unlink(temp);
    await writeFile(temp, content, { flag: 'wx' });
  }
}

export default defineProcessor({
  type: 'PutFile',
  category: 'sink',
  description:
    'Writes each FlowFile\'s content to a file named by its "filename" attribute inside a directory; names that would leave the directory are refused.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    required: ['directory'],
    properties: {
      directory: {
        type: 'string',
        minLength: 1,
        default: './data/out',
        description: 'Directory the files are written to.',
      },
      conflictResolution: {
        enum: ['replace', 'ignore', 'fail', 'unique'],
        default: 'fail',
        description:
          'When the file exists: replace it, ignore (success, not written), fail (to failure), or write under a unique name.',
      },
      createDirectories: { type: 'boolean', default: true, description: 'Create missing directories.' },
      useSubdirectory: {
        type: 'boolean',
        default: false,
        description: 'Write under the FlowFile\'s relative "path" attribute (still confined to the directory).',
      },
      batchSize: { type: 'integer', minimum: 1, maximum: 1000, default: 50, description: 'FlowFiles per session.' },
    },
  },
  relationships: [
    { name: 'success', description: 'Written (or ignored on conflict).' },
    {
      name: 'failure',
      description:
        'Not written: conflict with "fail", a name outside the directory, or an I/O error ("putfile.error").',
    },
  ],
  validate: (config, { allowedDirs }) => checkAllowedDirectory(config.directory, '/directory', allowedDirs),
  async onTrigger(session, { config, logger, allowedDirs }) {
    const root = path.resolve(config.directory);
    // Resolved on every trigger, by real path: the directory (or a parent) may have become a link since.
    const roots = await realRoots(allowedDirs);
    for (const ff of await session.get(config.batchSize)) {
      const name = ff.attributes.filename ?? ff.id;
      const relative = config.useSubdirectory ? path.join(ff.attributes.path ?? '', name) : name;
      const fail = (message: string) => {
        logger.warn({ flowFileId: ff.id }, `not written, routed to failure: ${message}`);
        failWith(session, ff, 'putfile.error', message);
      };
      const textTarget = confinedPath(root, relative);
      if (!textTarget) {
        fail(`file name "${relative}" would be written outside ${root}`);
        continue;
      }
      try {
        // Each missing directory is created only once its existing ancestor resolved inside: first the root
        // (inside the allowed directories), then the file's directory (inside the root). A link anywhere on
        // the way that leads out is refused before anything is created.
        const realRoot = await confinedDirectory(root, roots, config.createDirectories);
        const realParent = await confinedDirectory(
          path.join(realRoot, path.relative(root, path.dirname(textTarget))),
          [realRoot],
          config.createDirectories,
        );
        let target = path.join(realParent, path.basename(textTarget));
        // Written to a temporary file first; then `replace` renames over the target, and the other strategies
        // link it in place, which fails if the name exists: no check-then-write race between tasks or workers.
        const temp = path.join(path.dirname(target), `.${path.basename(target)}.${ff.id}.tmp`);
        await writeExclusively(temp, ff.content);
        try {
          if (config.conflictResolution === 'replace') await rename(temp, target);
          else {
            const placed = await placeExclusively(temp, target, config.conflictResolution === 'unique');
            if (!placed) {
              if (config.conflictResolution === 'ignore') session.transfer(ff, 'success');
              else fail(`file exists: ${target}`);
              continue;
            }
            target = placed;
          }
        } finally {
          await unlink(temp).catch(() => {});
        }
        session.reportSend(ff, `file://${target}`);
        session.transfer(session.putAttributes(ff, { 'absolute.path': path.dirname(target) }), 'success');
      } catch (err) {
        if (err instanceof ConfinementError)
          fail(`file name "${relative}" leads outside ${root} through a symbolic link: ${err.message}`);
        else fail((err as Error).message);
      }
    }
  },
});
