/** Every example flow has a test file (flows/examples/tests/<name>.test.json), and every one passes. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { formatFileResult } from '../../server/flow-tests/report';
import { runFlowTestFile } from '../../server/flow-tests/run-file';

const examplesDir = path.resolve(import.meta.dirname, '../../flows/examples');
const testsDir = path.join(examplesDir, 'tests');
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();
const registry = createRegistry();

test('every example flow has a test file, and every test file an example', () => {
  const tests = readdirSync(testsDir)
    .filter((f) => f.endsWith('.test.json'))
    .map((f) => f.slice(0, -'.test.json'.length))
    .sort();
  expect(examples.length).toBeGreaterThan(0);
  expect(tests).toEqual(examples);
});

test.each(examples)(
  'the tests of example %s pass',
  async (name) => {
    const result = await runFlowTestFile(path.join(testsDir, `${name}.test.json`), { registry });
    // The whole report on failure: which case, what was expected, what arrived.
    expect(result.issues, formatFileResult(result)).toBeUndefined();
    expect(result.cases.length).toBeGreaterThan(0);
    expect(
      result.cases.filter((c) => !c.passed),
      formatFileResult(result),
    ).toEqual([]);
  },
  60_000,
);
