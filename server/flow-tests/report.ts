/**
 * Flow test results: the wire types (the CLI, JUnit and `POST /api/flows/:id/tests/run` share them; the UI
 * imports them through ui/src/api/types.ts) and the CLI's text report.
 */
import type { ValidationIssue } from '../validation/ajv';

/** One expectation not met: what was expected and what arrived. */
export interface ExpectationFailure {
  /** JSON pointer into the test file, e.g. "/cases/0/expect/1/count". */
  path: string;
  /** The expectation's place (processor, connection or "processor:relationship"). */
  at: string;
  message: string;
  expected: string;
  actual: string;
}

export interface FlowTestCaseResult {
  name: string;
  passed: boolean;
  durationMs: number;
  failures: ExpectationFailure[];
  /** The case could not run (a processor failed to start...); it failed. */
  error?: string;
  /** A failed case: the first bulletins processors posted while it ran ("processor: message"). */
  bulletins?: string[];
}

export interface FlowTestFileResult {
  /** The test file (CLI) or the flow id (API). */
  file: string;
  flowId?: string;
  cases: FlowTestCaseResult[];
  /** The test file or its flow is invalid: no case ran. */
  issues?: ValidationIssue[];
}

/** `POST /api/flows/:id/tests/run`. */
export interface FlowTestRunAnswer extends FlowTestFileResult {
  passed: number;
  failed: number;
}

export function counts(results: readonly FlowTestFileResult[]): { passed: number; failed: number; invalid: number } {
  let passed = 0;
  let failed = 0;
  let invalid = 0;
  for (const r of results) {
    if (r.issues) invalid++;
    for (const c of r.cases) c.passed ? passed++ : failed++;
  }
  return { passed, failed, invalid };
}

/** One file's lines: a header, ✓/✗ per case with its time, the failures' details indented. */
export function formatFileResult(result: FlowTestFileResult): string {
  const lines = [result.file];
  for (const issue of result.issues ?? []) lines.push(`  ${result.file}: ${issue.path || '/'}: ${issue.message}`);
  for (const c of result.cases) {
    lines.push(`  ${c.passed ? '✓' : '✗'} ${c.name} (${c.durationMs} ms)`);
    if (c.error) lines.push(`      ${c.error}`);
    for (const b of c.bulletins ?? []) lines.push(`      bulletin: ${b}`);
    for (const f of c.failures) {
      lines.push(`      ${f.path}: ${f.message}`);
      lines.push(`        expected: ${indent(f.expected)}`);
      lines.push(`        actual:   ${indent(f.actual)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function formatSummary(results: readonly FlowTestFileResult[], ms: number): string {
  const { passed, failed, invalid } = counts(results);
  const parts = [`${passed} passed`, `${failed} failed`];
  if (invalid > 0) parts.push(`${invalid} invalid test file${invalid === 1 ? '' : 's'}`);
  return `\n${parts.join(', ')} (${results.length} file${results.length === 1 ? '' : 's'}, ${ms} ms)\n`;
}

function indent(text: string): string {
  return text.replaceAll('\n', '\n                  ');
}
