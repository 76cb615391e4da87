/**
 * Parity of NATS mode with in-process (see parity.test.ts): 100,000 fragments defragmented by a fresh process.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  copyInput,
  defragmentFlow,
  describeRun,
  type RunResult,
  sha256,
  tempDir,
  writeFlow,
  writeLines,
} from './parity-flows';
import { CASE_TIMEOUT, cleanUpAfterAll, expectClean, inMode, MODES, run, value } from './parity-kit';

cleanUpAfterAll();

describe('parity: the same flow in memory, on the durable repository and on NATS', () => {
  test(
    '100,000 fragments defragmented by a fresh process: exactly the original file',
    async () => {
      const N = 100_000;
      const dir = await tempDir('defragment');
      const input = await writeLines(path.join(dir, 'input', 'lines.txt'), N, (k) => ({ k, v: value(k) }));
      for (const mode of MODES) {
        const { base, options } = await inMode(dir, mode);
        const dirs = {
          inDir: await copyInput(path.join(dir, 'input'), path.join(base, 'in')),
          outDir: path.join(base, 'out'),
          failedDir: path.join(base, 'failed'),
        };
        const id = `defragment-${mode}`;
        let merged: RunResult;
        if (mode === 'memory') {
          // Nothing outlives an in-memory process: the whole flow in one, as the reference.
          merged = await run(
            `defragment ${mode} (one process)`,
            await writeFlow(base, 'all.json', defragmentFlow(id, dirs, 'all')),
            { ...options, timeout: '90s' },
          );
        } else {
          // Process 1 splits, with MergeContent disabled: the fragments wait in c2 (the run cannot go idle, so
          // it lasts its --timeout) and the process exits.
          const split = await run(
            `defragment ${mode} process 1 (split)`,
            await writeFlow(base, 'split.json', defragmentFlow(id, dirs, 'split')),
            { ...options, untilIdle: false, timeout: '12s' },
          );
          expectClean(`${mode} split`, split);
          expect(split.status.processors.split.out, describeRun(`${mode} split`, split)).toBe(N);
          expect(split.status.connections.c2.count, describeRun(`${mode} split`, split)).toBe(N);
          // Process 2, fresh, with the same flow and connection ids but GetFile and SplitText disabled, merges.
          merged = await run(
            `defragment ${mode} process 2 (merge)`,
            await writeFlow(base, 'merge.json', defragmentFlow(id, dirs, 'merge')),
            { ...options, timeout: '60s' },
          );
        }
        const context = describeRun(`${mode} merge`, merged);
        expectClean(`${mode} merge`, merged);
        expect(merged.status.processors.merge.in, context).toBe(N);
        expect(merged.status.processors.merge.out, context).toBe(1);
        expect(await readdir(dirs.failedDir).catch(() => []), context).toEqual([]);
        expect(await readdir(dirs.outDir).catch(() => []), context).toEqual(['lines.txt']);
        const written = await readFile(path.join(dirs.outDir, 'lines.txt'));
        expect({ bytes: written.length, sha256: sha256(written) }, context).toEqual({
          bytes: input.length,
          sha256: sha256(input),
        });
      }
    },
    CASE_TIMEOUT,
  );
});
