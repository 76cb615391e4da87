import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { idPattern } from '../../flows/flow-schema';
import type { ProcessorLogger } from '../engine/contract';

/** The example flows a fresh store is seeded with: `*.json` in `dir`, keyed by their id, in file-name order. */
export async function loadExamples(dir: string, logger: ProcessorLogger): Promise<{ id: string; json: unknown }[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch (err) {
    logger.warn({ dir, err: (err as Error).message }, 'example flows not found');
    return [];
  }
  const out: { id: string; json: unknown }[] = [];
  for (const file of files) {
    try {
      const json = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as { id?: unknown };
      const id = typeof json.id === 'string' && new RegExp(idPattern).test(json.id) ? json.id : undefined;
      if (id) out.push({ id, json });
      else logger.warn({ file }, 'example flow has no usable id; skipped');
    } catch (err) {
      logger.warn({ file, err: (err as Error).message }, 'example flow not loaded');
    }
  }
  return out;
}
