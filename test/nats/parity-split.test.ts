import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  copyInput,
  describeRun,
  type Mode,
  type Summary,
  splitFlow,
  summarize,
  tempDir,
  writeFlow,
  writeLines,
} from './parity-flows';
import {
  CASE_TIMEOUT,
  cleanUpAfterAll,
  expectClean,
  expectedSummary,
  expectSame,
  inMode,
  MODES,
  run,
  value,
} from './parity-kit';

cleanUpAfterAll();

describe('parity: the same flow in memory, on the durable repository and on NATS', () => {
  test(
    'a 100,000-way split (SplitText lineCount 1): 100,000 records, same sum and content hash',
    async () => {
      const N = 100_000;
      const dir = await tempDir('split');
      await writeLines(path.join(dir, 'input', 'lines.txt'), N, (k) => ({ k, v: value(k) }));
      // The record of split i (EvaluateJSONata in splitFlow): its fragment attributes and its line's fields.
      const expectedLines = Array.from({ length: N }, (_, i) =>
        JSON.stringify({ i, n: N, of: 'lines.txt', k: i, v: value(i) }),
      );
      // Bundles are merged at 10,000 records or after 2 s, so the number of files may differ; records may not.
      const withoutFiles = (s: Summary) => ({ ...s, files: 0 });
      const expected = expectedSummary(expectedLines, 'v', 0);
      const byMode: Partial<Record<Mode, Summary>> = {};
      const runs: string[] = [];
      for (const mode of MODES) {
        const { base, options } = await inMode(dir, mode);
        const inDir = await copyInput(path.join(dir, 'input'), path.join(base, 'in'));
        const outDir = path.join(base, 'out');
        const flow = await writeFlow(base, 'flow.json', splitFlow(`split-${mode}`, inDir, outDir));
        const r = await run(`split ${mode}`, flow, { ...options, timeout: '90s' });
        runs.push(describeRun(mode, r));
        byMode[mode] = withoutFiles(await summarize(outDir, { field: 'v' }));
        expectClean(mode, r);
        expect(r.status.processors.split.out, describeRun(mode, r)).toBe(N);
        expect(r.status.processors.bundle.in, describeRun(mode, r)).toBe(N);
      }
      expectSame(expected, byMode, runs.join('\n'));
    },
    CASE_TIMEOUT,
  );
});
