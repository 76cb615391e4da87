import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { EXAMPLES_DIR } from '../../server/serve';

/** The ids of the example flows a first start loads, sorted. */
export async function exampleIds(): Promise<string[]> {
  const files = (await readdir(EXAMPLES_DIR)).filter((f) => f.endsWith('.json'));
  const ids = await Promise.all(
    files.map(async (f) => (JSON.parse(await readFile(path.join(EXAMPLES_DIR, f), 'utf8')) as { id: string }).id),
  );
  return ids.sort();
}
