/**
 * Flow tests kept by the server: `<flowsDir>/<id>.test.json` beside the flow's `<id>.json` (FlowStore skips
 * `*.test.json` when it loads flows), written atomically; and the example flows' tests, copied when a fresh
 * data directory is seeded with the examples.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from '../storage/flow-store';
import { TEST_FILE_SUFFIX } from './load';

/** Where the example flows' test files are: `flows/examples/tests`, so the examples' own folder holds flows only. */
export const EXAMPLE_TESTS_SUBDIR = 'tests';

export function storedTestFile(flowsDir: string, flowId: string): string {
  return path.join(flowsDir, `${flowId}${TEST_FILE_SUFFIX}`);
}

/** The stored test file's JSON; undefined when the flow has none. */
export async function readStoredTests(flowsDir: string, flowId: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(storedTestFile(flowsDir, flowId), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text);
}

export async function writeStoredTests(flowsDir: string, flowId: string, tests: unknown): Promise<void> {
  await mkdir(flowsDir, { recursive: true });
  await writeJsonAtomic(storedTestFile(flowsDir, flowId), tests);
}

/**
 * Copies `<examplesDir>/tests/<name>.test.json` to `<flowsDir>/<flow id>.test.json` for each example flow
 * `<examplesDir>/<name>.json` among `flowIds` (the ones just seeded) that has none yet.
 */
export async function seedExampleTests(
  examplesDir: string,
  flowsDir: string,
  flowIds: readonly string[],
): Promise<void> {
  const testsDir = path.join(examplesDir, EXAMPLE_TESTS_SUBDIR);
  const names = await readdir(testsDir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.endsWith(TEST_FILE_SUFFIX))) {
    const flowFile = path.join(examplesDir, `${name.slice(0, -TEST_FILE_SUFFIX.length)}.json`);
    const id = await readFile(flowFile, 'utf8')
      .then((t) => (JSON.parse(t) as { id?: unknown }).id)
      .catch(() => undefined);
    if (typeof id !== 'string' || !flowIds.includes(id)) continue;
    const target = storedTestFile(flowsDir, id);
    if (
      await readFile(target).then(
        () => true,
        () => false,
      )
    )
      continue;
    await mkdir(flowsDir, { recursive: true });
    await copyFile(path.join(testsDir, name), target);
  }
}

/**
 * Called before the flow store opens (a data directory without a state file is fresh and gets the examples):
 * returns what to call with the flow ids once they are seeded; it copies the examples' tests then, or does
 * nothing for a data directory that was not fresh or when `examplesDir` is false. A failed copy is logged.
 */
export function exampleTestsSeeder(
  dataDir: string,
  examplesDir: string | false,
  warn: (message: string) => void,
): (flowIds: readonly string[]) => Promise<void> {
  const fresh = !existsSync(path.join(dataDir, 'state.json'));
  return async (flowIds) => {
    if (!fresh || examplesDir === false) return;
    await seedExampleTests(examplesDir, path.join(dataDir, 'flows'), flowIds).catch((err: unknown) =>
      warn(`example flow tests not copied: ${(err as Error).message}`),
    );
  };
}
