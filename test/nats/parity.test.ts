/**
 * Parity of NATS mode with in-process: the same flows run as real `sluice run` processes in memory, on the
 * durable repository (--data) and on a fresh real nats-server (--nats), and what their PutFile sinks wrote
 * must be the same, exactly: number of files and records, the sum of a numeric field, and a sha256 of the
 * sorted records (with the attributes that matter written into them or into the file names). Every case also
 * checks the outputs against what its input implies, so a mode cannot pass by agreeing with a wrong one.
 *
 * Cases here: the pane a WindowAggregate emits when it stops (and that it does not come again in a later run); a
 * fan-out over three connections with three prioritizers; DetectDuplicate over inputs with known duplicates. The
 * two 100,000-FlowFile cases are in parity-split.test.ts and parity-defragment.test.ts (so they run beside these).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  copyInput,
  dedupeFlow,
  describeRun,
  fanOutFlow,
  type Mode,
  PRIORITIZERS,
  type RunResult,
  type Summary,
  summarize,
  tempDir,
  thresholdFlow,
  windowFlow,
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
  describe('the pane a WindowAggregate emits when it stops', () => {
    /** The panes written: key, count and total (start and end are processing time, so they vary by run). */
    async function panes(outDir: string): Promise<string[]> {
      const files = (await readdir(outDir).catch(() => [] as string[])).filter((f) => !f.startsWith('.'));
      const out: string[] = [];
      for (const f of files) {
        const pane = JSON.parse(await readFile(path.join(outDir, f), 'utf8'));
        out.push(JSON.stringify({ key: pane.key, count: pane.count, total: pane.total }));
      }
      return out.sort();
    }
    const PANE = JSON.stringify({ key: 'a', count: 3, total: 6 });

    for (const untilIdle of [true, false])
      test(
        `${untilIdle ? 'sluice run --until-idle' : 'sluice run --timeout (not idle-driven)'}: the pane reaches PutFile in every mode, and a later run brings nothing back`,
        async () => {
          const dir = await tempDir('window');
          const flags = untilIdle ? '--until-idle' : '--timeout 3s';
          for (const mode of MODES) {
            const { base, options } = await inMode(dir, mode);
            const outDir = path.join(base, 'out');
            const id = `window-${mode}`;
            const runOptions = { ...options, untilIdle, timeout: untilIdle ? '30s' : '3s' };
            const first = await run(
              `window ${flags} ${mode} run 1`,
              await writeFlow(base, 'flow.json', windowFlow(id, outDir)),
              runOptions,
            );
            const context = describeRun(`${mode} run 1`, first);
            expectClean(`${mode} run 1`, first);
            expect(first.status.processors.window.out, context).toBe(1);
            expect(first.status.processors.sink.in, context).toBe(1);
            expect(first.status.connections.c2.count, context).toBe(0);
            expect(await panes(outDir), context).toEqual([PANE]);
            if (mode === 'memory') continue;
            // A later run of the same flow (same data directory, same NATS) with the source disabled: the
            // window's persisted state and the queues hold nothing, so no pane comes again.
            const later = await run(
              `window ${flags} ${mode} run 2`,
              await writeFlow(base, 'later.json', windowFlow(id, outDir, { generate: false })),
              runOptions,
            );
            const laterContext = describeRun(`${mode} run 2`, later);
            expectClean(`${mode} run 2`, later);
            expect(later.status.processors.window.out, laterContext).toBe(0);
            expect(later.status.processors.sink.in, laterContext).toBe(0);
            expect(await panes(outDir), laterContext).toEqual([PANE]);
          }
        },
        CASE_TIMEOUT,
      );
  });

  test(
    'a fan-out to three connections with three prioritizers: each sink gets every split, same hashes',
    async () => {
      const N = 3_000;
      const dir = await tempDir('fan-out');
      await writeLines(path.join(dir, 'input', 'lines.txt'), N, (k) => ({ k, v: value(k) }));
      // Each sink writes split i as "<i>.json" holding its line: names and contents are checked together.
      const expected = expectedSummary(
        Array.from({ length: N }, (_, i) => `${i}.json\t${JSON.stringify({ k: i, v: value(i) })}`),
        'v',
        N,
      );
      const runs: string[] = [];
      const byModeAndSink: Record<string, Summary> = {};
      for (const mode of MODES) {
        const { base, options } = await inMode(dir, mode);
        const inDir = await copyInput(path.join(dir, 'input'), path.join(base, 'in'));
        const outDirs = Object.fromEntries(PRIORITIZERS.map((p) => [p, path.join(base, `out-${p}`)])) as Record<
          (typeof PRIORITIZERS)[number],
          string
        >;
        const r = await run(
          `fan-out ${mode}`,
          await writeFlow(base, 'flow.json', fanOutFlow(`fan-out-${mode}`, inDir, outDirs)),
          { ...options, timeout: '90s' },
        );
        runs.push(describeRun(mode, r));
        expectClean(mode, r);
        // One FlowFile per split into each of the three connections (two of them clones).
        expect(r.status.processors.tag.out, describeRun(mode, r)).toBe(3 * N);
        for (const p of PRIORITIZERS) {
          expect(r.status.processors[`sink-${p}`].in, describeRun(mode, r)).toBe(N);
          byModeAndSink[`${mode} ${p}`] = await summarize(outDirs[p], { field: 'v', withNames: true });
        }
      }
      for (const [label, summary] of Object.entries(byModeAndSink))
        expect(summary, `${label}\n${runs.join('\n')}`).toEqual(expected);
    },
    CASE_TIMEOUT,
  );

  test(
    'DetectDuplicate over inputs with known duplicates: the same unique and duplicate outputs',
    async () => {
      const N = 5_000;
      const KEYS = 2_000;
      const dir = await tempDir('dedupe');
      // Line i has key i mod 2,000: 2,000 first sightings, 3,000 duplicates; a key's lines are identical, so
      // which of them comes first does not change what either sink writes.
      const line = (i: number) => ({ k: i % KEYS, v: value(i % KEYS) });
      await writeLines(path.join(dir, 'input', 'lines.txt'), N, line);
      const all = Array.from({ length: N }, (_, i) => JSON.stringify(line(i)));
      const expectedUnique = expectedSummary(all.slice(0, KEYS), 'v', KEYS);
      const expectedDuplicates = expectedSummary(all.slice(KEYS), 'v', N - KEYS);
      const runs: string[] = [];
      const unique: Partial<Record<Mode, Summary>> = {};
      const duplicates: Partial<Record<Mode, Summary>> = {};
      for (const mode of MODES) {
        const { base, options } = await inMode(dir, mode);
        const inDir = await copyInput(path.join(dir, 'input'), path.join(base, 'in'));
        const dirs = { unique: path.join(base, 'unique'), duplicates: path.join(base, 'duplicates') };
        const r = await run(
          `dedupe ${mode}`,
          await writeFlow(base, 'flow.json', dedupeFlow(`dedupe-${mode}`, inDir, dirs)),
          { ...options, timeout: '90s' },
        );
        runs.push(describeRun(mode, r));
        expectClean(mode, r);
        expect(r.status.processors.dedupe.in, describeRun(mode, r)).toBe(N);
        expect(r.status.processors.unique.in + r.status.processors.duplicates.in, describeRun(mode, r)).toBe(N);
        unique[mode] = await summarize(dirs.unique, { field: 'v' });
        duplicates[mode] = await summarize(dirs.duplicates, { field: 'v' });
      }
      expectSame(expectedUnique, unique, `unique\n${runs.join('\n')}`);
      expectSame(expectedDuplicates, duplicates, `duplicates\n${runs.join('\n')}`);
    },
    CASE_TIMEOUT,
  );

  test(
    'a connection with a backpressure threshold of 200,000 objects (others at the default 10,000) runs as well',
    async () => {
      const N = 2_000;
      const dir = await tempDir('threshold');
      await writeLines(path.join(dir, 'input', 'lines.txt'), N, (k) => ({ k, v: value(k) }));
      const expected = expectedSummary(
        Array.from({ length: N }, (_, i) => `${i}.json\t${JSON.stringify({ k: i, v: value(i) })}`),
        'v',
        N,
      );
      const results: Partial<Record<Mode, RunResult>> = {};
      const byMode: Partial<Record<Mode, Summary>> = {};
      for (const mode of MODES) {
        const { base, options } = await inMode(dir, mode);
        const inDir = await copyInput(path.join(dir, 'input'), path.join(base, 'in'));
        const outDir = path.join(base, 'out');
        const flow = await writeFlow(base, 'flow.json', thresholdFlow(`threshold-${mode}`, inDir, outDir, 200_000));
        results[mode] = await run(`threshold ${mode}`, flow, { ...options, timeout: '60s' });
        byMode[mode] = await summarize(outDir, { field: 'v', withNames: true });
      }
      // Every mode runs before any is judged: the message shows them all.
      const runs = MODES.map((m) => describeRun(m, results[m]!)).join('\n');
      for (const mode of MODES) expect(results[mode]!.code, `${mode}\n${runs}`).toBe(0);
      expectSame(expected, byMode, runs);
    },
    CASE_TIMEOUT,
  );
});
