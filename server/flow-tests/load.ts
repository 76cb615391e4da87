/**
 * Reads a flow test file: JSON, the schema, the checks the schema cannot make (regexes and JSONata compile,
 * an injection has content or a file, not both) and the fixture files, read relative to the test file.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import jsonata from 'jsonata';
import { parseFlowJson } from '../flow-loader';
import type { ValidationIssue } from '../validation/ajv';
import { checkFlowTestFile, type FlowTestFile } from './test-schema';

/** An injection with its content read. */
export interface ResolvedInjection {
  at: string;
  content: Buffer;
  attributes: Record<string, string>;
  repeat: number;
}

export interface LoadedFlowTests {
  doc: FlowTestFile;
  /** Per case, per injection. */
  injections: ResolvedInjection[][];
}

type Loaded<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

export const TEST_FILE_SUFFIX = '.test.json';

/** The flow a test file tests: its `flow` (relative to the test file), else its own name without ".test". */
export function flowFileFor(testFile: string, doc: FlowTestFile): string {
  if (doc.flow) return path.resolve(path.dirname(testFile), doc.flow);
  const base = path.basename(testFile);
  const stem = base.endsWith(TEST_FILE_SUFFIX) ? base.slice(0, -TEST_FILE_SUFFIX.length) : base.replace(/\.json$/, '');
  return path.join(path.dirname(testFile), `${stem}.json`);
}

/** Reads and checks a test file on disk; fixtures are read relative to it. */
export async function loadFlowTestFile(file: string): Promise<Loaded<LoadedFlowTests>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, issues: [{ path: '', message: `cannot read file: ${(err as Error).message}` }] };
  }
  const parsed = parseFlowJson(text);
  if (!parsed.ok) return parsed;
  return loadFlowTests(parsed.value, path.dirname(path.resolve(file)));
}

/**
 * Checks a parsed test file. `fixturesDir`: where `file` injections are read from; undefined refuses them
 * (a test stored on the server names no files: it could read any file the server can).
 */
export async function loadFlowTests(json: unknown, fixturesDir: string | undefined): Promise<Loaded<LoadedFlowTests>> {
  const checked = checkFlowTestFile(json);
  if (!checked.ok) return checked;
  const doc = checked.value;
  const issues = semanticIssues(doc);
  const injections: ResolvedInjection[][] = [];
  for (const [c, testCase] of doc.cases.entries()) {
    const list: ResolvedInjection[] = [];
    for (const [i, inj] of (testCase.inject ?? []).entries()) {
      const at = `/cases/${c}/inject/${i}`;
      let content = Buffer.from(inj.content ?? '');
      if (inj.file !== undefined && inj.content !== undefined)
        issues.push({ path: at, message: 'give "content" or "file", not both' });
      else if (inj.file !== undefined && fixturesDir === undefined)
        issues.push({
          path: `${at}/file`,
          message: 'a test stored on the server cannot read fixture files; use "content"',
        });
      else if (inj.file !== undefined) {
        try {
          content = await readFile(path.resolve(fixturesDir!, inj.file));
        } catch (err) {
          issues.push({ path: `${at}/file`, message: `cannot read fixture: ${(err as Error).message}` });
        }
      }
      list.push({ at: inj.at, content, attributes: inj.attributes ?? {}, repeat: inj.repeat ?? 1 });
    }
    injections.push(list);
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: { doc, injections } };
}

/** Regexes and JSONata expressions that do not compile, and case names used twice. */
function semanticIssues(doc: FlowTestFile): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const names = new Set<string>();
  for (const [c, testCase] of doc.cases.entries()) {
    if (names.has(testCase.name))
      issues.push({ path: `/cases/${c}/name`, message: `case "${testCase.name}" is named twice` });
    names.add(testCase.name);
    for (const [e, expectation] of testCase.expect.entries()) {
      const at = `/cases/${c}/expect/${e}`;
      for (const [prefix, checks] of [
        ['', expectation],
        ['/each', expectation.each],
      ] as const) {
        if (!checks) continue;
        for (const [name, want] of Object.entries(checks.attributes ?? {})) {
          if (typeof want === 'string') continue;
          try {
            new RegExp(want.matches);
          } catch (err) {
            issues.push({ path: `${at}${prefix}/attributes/${name}/matches`, message: (err as Error).message });
          }
        }
        if (checks.where === undefined) continue;
        try {
          jsonata(checks.where);
        } catch (err) {
          issues.push({ path: `${at}${prefix}/where`, message: `invalid JSONata: ${(err as Error).message}` });
        }
      }
    }
  }
  return issues;
}
