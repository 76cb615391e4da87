/**
 * What the parity test files share (test/nats/parity*.test.ts): running one case's flow in each mode, in a
 * directory of its own (NATS mode on a fresh nats-server), and comparing what the modes' sinks wrote. The cases
 * are split over three files so that the two 100,000-FlowFile ones run beside the others, not after them.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import {
  cleanup,
  describeRun,
  freshNats,
  type Mode,
  type RunOptions,
  type RunResult,
  runSluice,
  type Summary,
  sha256,
} from './parity-flows';

export const MODES: Mode[] = ['memory', 'durable', 'nats'];
export const CASE_TIMEOUT = 110_000;

/** How long each `sluice run` took, printed at the end of each file (the suite's cost, by case and mode). */
const timings: string[] = [];

/** Prints the file's run durations and removes its directories and NATS servers once its cases are done. */
export function cleanUpAfterAll(): void {
  afterAll(async () => {
    console.log(`sluice run durations:\n${timings.join('\n')}`);
    await cleanup();
  });
}

export async function run(label: string, flowFile: string, options: RunOptions): Promise<RunResult> {
  const r = await runSluice(flowFile, options);
  timings.push(`  ${label}: ${(r.ms / 1000).toFixed(1)} s, exit ${r.code ?? r.signal}`);
  return r;
}

/** Runs one mode of a case in its own directory; NATS mode on a nats-server of its own. */
export async function inMode(dir: string, mode: Mode) {
  const base = path.join(dir, mode);
  await mkdir(base, { recursive: true });
  const nats = mode === 'nats' ? await freshNats() : undefined;
  return { base, options: { mode, natsUrl: nats?.url, dataDir: path.join(base, 'data') } };
}

export function expectClean(label: string, r: RunResult): void {
  expect(r.code, describeRun(label, r)).toBe(0);
  expect(r.status, describeRun(label, r)).toBeDefined();
}

/** The summary every mode must produce, with the expected one first: the message names the mode that differs. */
export function expectSame(expected: Summary, byMode: Partial<Record<Mode, Summary>>, context: string): void {
  for (const [mode, summary] of Object.entries(byMode)) expect(summary, `${mode}: ${context}`).toEqual(expected);
}

/** The number each input line carries (`{"k":k,"v":value(k)}`), summed by every case. */
export const value = (k: number) => (k * 7) % 1000;

/** The summary of these records (JSON lines, each maybe after "<file name>\t"), as `summarize` makes it. */
export function expectedSummary(records: string[], field: string, files: number): Summary {
  let sum = 0;
  for (const record of records) {
    const json = record.slice(record.indexOf('\t') + 1);
    sum += Number((JSON.parse(json) as Record<string, unknown>)[field]);
  }
  return { files, records: records.length, sum, sha256: sha256([...records].sort().join('\n')) };
}
