/**
 * Runs the cases of one test file against a validated flow, each in a fresh engine; a test file whose places do
 * not exist in the flow runs no case (it is invalid, like a schema error). `runFlowTestFile` is the CLI's way
 * in: it loads the test file, its fixtures and its flow from disk.
 */
import path from 'node:path';
import type { ResolvedFlow } from '../../flows/flow-schema';
import type { ProcessorLogger } from '../engine/contract';
import type { ProcessorRegistry } from '../engine/processor-registry';
import { loadFlowFile } from '../flow-loader';
import { formatIssue, type ValidationIssue } from '../validation/ajv';
import { flowFileFor, type LoadedFlowTests, loadFlowTestFile } from './load';
import { type PreparedCase, prepareCase } from './prepare-flow';
import type { FlowTestCaseResult, FlowTestFileResult } from './report';
import { runCase } from './run-case';

export interface FlowTestOptions {
  registry: ProcessorRegistry;
  /** `--parameters`: applied to the flow as `sluice run` does. */
  parameters?: Readonly<Record<string, string>>;
  allowedDirs?: readonly string[];
  logger?: ProcessorLogger;
}

/** Runs every case; `label` names the file in the result. */
export async function runFlowTests(
  flow: ResolvedFlow,
  tests: LoadedFlowTests,
  label: string,
  options: FlowTestOptions,
): Promise<FlowTestFileResult> {
  const prepared: PreparedCase[] = [];
  const issues: ValidationIssue[] = [];
  for (const [i, testCase] of tests.doc.cases.entries()) {
    const p = prepareCase(flow, testCase, `/cases/${i}`, options.registry);
    if (p.ok) prepared.push(p.prepared);
    else issues.push(...p.issues);
  }
  if (issues.length > 0) return { file: label, flowId: flow.id, cases: [], issues };
  const cases: FlowTestCaseResult[] = [];
  for (const [i, testCase] of tests.doc.cases.entries())
    cases.push(await runCase(testCase, `/cases/${i}`, prepared[i]!, tests.injections[i]!, options));
  return { file: label, flowId: flow.id, cases };
}

/** Loads `file`, its fixtures and its flow, and runs it; `label` defaults to the path as given. */
export async function runFlowTestFile(file: string, options: FlowTestOptions): Promise<FlowTestFileResult> {
  const loaded = await loadFlowTestFile(file);
  if (!loaded.ok) return { file, cases: [], issues: loaded.issues };
  const flowFile = flowFileFor(file, loaded.value.doc);
  const check = await loadFlowFile(flowFile, options.registry, {
    ...(options.parameters && { parameters: { ...options.parameters } }),
  });
  if (!check.ok) {
    const shown = path.relative(process.cwd(), flowFile) || flowFile;
    return {
      file,
      cases: [],
      issues: check.issues.map((issue) => ({ path: '/flow', message: `${shown}: ${formatIssue(issue)}` })),
    };
  }
  return runFlowTests(check.resolved, loaded.value, file, options);
}
