/**
 * Parity of NATS mode with in-process: the same flows run as real `sluice run` processes in memory, on the
 * durable repository (--data) and on a fresh real nats-server (--nats), and what their PutFile sinks wrote
 * must be the same, exactly: number of files and records, the sum of a numeric field, and a sha256 of the
 * sorted records (with the attributes that matter written into them or into the file names). Every case also
 * checks the outputs against what its input implies, so a mode cannot pass by agreeing with a wrong one.
 *
 * Cases: a 100,000-way split; 100,000 fragments defragmented by a fresh process; the pane a WindowAggregate
 * emits when it stops (and that it does not come again in a later run); a fan-out over three connections
 * with three prioritizers; DetectDuplicate over inputs with known duplicates.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  cleanup,
  copyInput,
  dedupeFlow,
  defragmentFlow,
  describeRun,
  fanOutFlow,
  freshNats,
  type Mode,
  PRIORITIZERS,
  type RunOptions,
  type RunResult,
  runSluice,
  type Summary,
  sha256,
  splitFlow,
  summarize,
  tempDir,
  thresholdFlow,
  windowFlow,
  writeFlow,
  writeLines,
} from './parity-flows';

const MODES: Mode[] = ['memory', 'durable', 'nats'];
const CASE_TIMEOUT = 110_000;

/** How long each `sluice run` took, printed at the end (the suite's cost, by case and mode). */
const timings: string[] = [];

afterAll(async () => {
  console.log(`sluice run durations:\n${timings.join('\n')}`);
  await cleanup();
});

async function run(label: string, flowFile: string, options: RunOptions): Promise<RunResult> {
  const r = await runSluice(flowFile, options);
  timings.push(`  ${label}: ${(r.ms / 1000).toFixed(1)} s, exit ${r.code ?? r.signal}`);
  return r;
}

/** Runs one mode of a case in its own directory; NATS mode on a nats-server of its own. */
async function inMode(dir: string, mode: Mode) {
  const base = path.join(dir, mode);
  await mkdir(base, { recursive: true });
  const nats = mode === 'nats' ? await freshNats() : undefined;
  return { base, options: { mode, natsUrl: nats?.url, dataDir: path.join(base, 'data') } };
}

function expectClean(label: string, r: RunResult): void {
  expect(r.code, describeRun(label, r)).toBe(0);
  expect(r.status, describeRun(label, r)).toBeDefined();
}

/** The summary every mode must produce, with the expected one first: the message names the mode that differs. */
function expectSame(expected: Summary, byMode: Partial<Record<Mode, Summary>>, context: string): void {
  for (const [mode, summary] of Object.entries(byMode)) expect(summary, `${mode}: ${context}`).toEqual(expected);
}

/** The number each input line carries (`{"k":k,"v":value(k)}`), summed by every case. */
const value = (k: number) => (k * 7) % 1000;

/** The summary of these records (JSON lines, each maybe after "<file name>\t"), as `summarize` makes it. */
function expectedSummary(records: string[], field: string, files: number): Summary {
  let sum = 0;
  for (const record of records) {
    const json = record.slice(record.indexOf('\t') + 1);
    sum += Number((JSON.parse(json) as Record<string, unknown>)[field]);
  }
  return { files, records: records.length, sum, sha256: sha256([...records].sort().join('\n')) };
}

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
