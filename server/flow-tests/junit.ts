/**
 * Flow test results as JUnit XML, which CI systems read: <testsuites>, a <testsuite> per test file, a
 * <testcase> per case, a <failure> per failed case (its message and the expected/actual details) and an
 * <error> for a test file that is invalid.
 */
import { counts, type FlowTestFileResult } from './report';

export function toJunit(results: readonly FlowTestFileResult[]): string {
  const total = counts(results);
  const tests = total.passed + total.failed + total.invalid;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const allMs = results.reduce((sum, r) => sum + r.cases.reduce((s, c) => s + c.durationMs, 0), 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="sluice flow tests" tests="${tests}" failures="${total.failed}" errors="${total.invalid}" time="${seconds(allMs)}">`,
  ];
  for (const r of results) {
    const failed = r.cases.filter((c) => !c.passed).length;
    const ms = r.cases.reduce((s, c) => s + c.durationMs, 0);
    const suite = attr(r.file);
    if (r.issues) {
      lines.push(`  <testsuite name="${suite}" tests="1" failures="0" errors="1" time="0.000">`);
      const text = r.issues.map((i) => `${i.path || '/'}: ${i.message}`).join('\n');
      lines.push(`    <testcase name="(test file)" classname="${suite}" time="0.000">`);
      lines.push(`      <error message="${attr(r.issues[0]?.message ?? 'invalid')}">${xmlText(text)}</error>`);
      lines.push('    </testcase>', '  </testsuite>');
      continue;
    }
    lines.push(
      `  <testsuite name="${suite}" tests="${r.cases.length}" failures="${failed}" errors="0" time="${seconds(ms)}">`,
    );
    for (const c of r.cases) {
      const open = `    <testcase name="${attr(c.name)}" classname="${suite}" time="${seconds(c.durationMs)}"`;
      if (c.passed) {
        lines.push(`${open}/>`);
        continue;
      }
      const message = c.error ?? c.failures.map((f) => f.message).join('; ');
      const details = [
        ...(c.error ? [c.error] : []),
        ...c.failures.map((f) => `${f.path}: ${f.message}\n  expected: ${f.expected}\n  actual:   ${f.actual}`),
      ].join('\n');
      lines.push(
        `${open}>`,
        `      <failure message="${attr(message)}">${xmlText(details)}</failure>`,
        '    </testcase>',
      );
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

/** XML 1.0 forbids most control characters even escaped: they become U+FFFD. */
function clean(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd');
}

function xmlText(s: string): string {
  return clean(s).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function attr(s: string): string {
  return xmlText(s).replaceAll('"', '&quot;').replaceAll('\n', '&#10;');
}
