/**
 * `sluice diff a.json b.json` (the structural diff in a terminal; exit 0 equal, 1 different, 2 bad input) and
 * `sluice merge-flow BASE OURS THEIRS` (a git merge driver: the three-way structural merge written to OURS,
 * exit 0; a conflict leaves OURS as it is and exits 1, listing the conflicts on stderr).
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { flowSchema } from '../../flows/flow-schema';
import { parseFlowJson } from '../flow-loader';
import { createAjv, formatIssue, toIssues, type ValidationIssue } from '../validation/ajv';
import { mergeFlows } from './flow-merge';
import { diffFlowStructure } from './flow-structural-diff';
import { formatStructuralDiff } from './format-diff';
import { stableStringify } from './stable-json';

let validate: ReturnType<ReturnType<typeof createAjv>['compile']> | undefined;

/** The file as a flow, or the issues that say why it is not one (each with its JSON path). */
export async function readFlowFile(file: string): Promise<{ flow: unknown } | { issues: ValidationIssue[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { issues: [{ path: '', message: `cannot read file: ${(err as Error).message}` }] };
  }
  const parsed = parseFlowJson(text);
  if (!parsed.ok) return { issues: parsed.issues };
  validate ??= createAjv().compile(flowSchema);
  if (!validate(parsed.value)) return { issues: toIssues(validate.errors) };
  return { flow: parsed.value };
}

function report(command: string, file: string, issues: ValidationIssue[]): void {
  for (const issue of issues) process.stderr.write(`sluice ${command}: ${file}: ${formatIssue(issue)}\n`);
}

export function addVersionCommands(program: Command): void {
  program
    .command('diff')
    .description(
      'Show the structural difference between two flow files: + added, - removed, ~ changed (old → new), > moved. Exit 0 when equal, 1 when different, 2 on bad input.',
    )
    .argument('<a>', 'the flow before')
    .argument('<b>', 'the flow after')
    .action(async (a: string, b: string) => {
      const before = await readFlowFile(a);
      const after = await readFlowFile(b);
      if ('issues' in before || 'issues' in after) {
        if ('issues' in before) report('diff', a, before.issues);
        if ('issues' in after) report('diff', b, after.issues);
        process.exitCode = 2;
        return;
      }
      const diff = diffFlowStructure(before.flow, after.flow);
      const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
      process.stdout.write(formatStructuralDiff(diff, { color }));
      process.exitCode = diff.equal ? 0 : 1;
    });

  program
    .command('merge-flow')
    .description(
      'A git merge driver for flow files: merges BASE, OURS and THEIRS by component and writes the result to OURS. Set it up with `git config merge.sluice.driver "sluice merge-flow %O %A %B"` and `flows/*.json merge=sluice` in .gitattributes.',
    )
    .argument('<base>', 'the common ancestor (%O)')
    .argument('<ours>', 'our version, overwritten with the merge (%A)')
    .argument('<theirs>', 'their version (%B)')
    .action(async (basePath: string, oursPath: string, theirsPath: string) => {
      const files = [basePath, oursPath, theirsPath];
      const read = await Promise.all(files.map(readFlowFile));
      let bad = false;
      read.forEach((r, i) => {
        if ('issues' in r) {
          bad = true;
          report('merge-flow', files[i]!, r.issues);
        }
      });
      if (bad) {
        process.exitCode = 2;
        return;
      }
      const [base, ours, theirs] = read.map((r) => (r as { flow: unknown }).flow);
      const result = mergeFlows(base, ours, theirs);
      for (const path of result.keptOurs)
        process.stderr.write(`sluice merge-flow: ${oursPath}: ${path}: layout changed on both sides; ours kept\n`);
      if (result.conflicts.length > 0) {
        process.stderr.write(
          `sluice merge-flow: ${oursPath}: ${result.conflicts.length} conflict(s); the file is left as ours, resolve by hand:\n`,
        );
        for (const c of result.conflicts)
          process.stderr.write(`  ${c.path}: ours ${show(c.ours)}, theirs ${show(c.theirs)}\n`);
        process.exitCode = 1;
        return;
      }
      await writeFile(oursPath, stableStringify(result.merged), 'utf8');
      process.exitCode = 0;
    });
}

function show(value: unknown): string {
  if (value === undefined) return '(removed)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
