import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** One ajv for the whole product: draft 2020-12, strict schemas, every error reported. */
export function createAjv(options: { useDefaults?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, useDefaults: options.useDefaults ?? false });
  const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
  addFormats(ajv);
  // Annotation for the UI: "jsonata" marks a string the config form shows in a monospace expression field.
  ajv.addKeyword({ keyword: 'x-format', schemaType: 'string' });
  // A secret (password, token): only a reference to a sensitive parameter, see server/parameters/sensitive-properties.ts.
  ajv.addKeyword({ keyword: 'x-sensitive', schemaType: 'boolean' });
  // A reference to a controller service of this kind (`{"service": id}`), see server/services/service-contract.ts.
  ajv.addKeyword({ keyword: 'x-service', schemaType: 'string' });
  return ajv;
}

export interface ValidationIssue {
  /** JSON pointer into the validated document, "" for the root. */
  path: string;
  message: string;
}

/** Friendly names for the patterns the flow schema uses, so errors say what to write. */
const PATTERN_HINTS: [RegExp, string][] = [
  [/\(ms\|msec/, 'must be a duration such as "100ms", "30s", "5 min" or "1h"'],
  [/\[kK\]\[bB\]/, 'must be a size such as "512 KB", "10 MB" or "1 GB"'],
  [/^\^\[A-Za-z0-9\]\[A-Za-z0-9_-\]/, 'must be 1 to 64 letters, digits, "_" or "-", starting with a letter or digit'],
];

/** ajv errors as path-named issues, with the path prefixed (e.g. "/processors/2/config"). */
export function toIssues(errors: readonly ErrorObject[] | null | undefined, prefix = ''): ValidationIssue[] {
  const list = errors ?? [];
  // An anyOf that failed reports each branch too; keep one line per path: the most specific hint.
  const anyOfPaths = new Set(list.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  for (const issue of list.map(describe)) {
    const key = `${issue.path}\n${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;

  function describe(e: ErrorObject): ValidationIssue {
    if (anyOfPaths.has(e.instancePath) && e.keyword !== 'pattern') {
      const hinted = list.find((o) => o.instancePath === e.instancePath && o.keyword === 'pattern');
      if (hinted) return describe(hinted);
    }
    let path = `${prefix}${e.instancePath}`;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      path = `${path}/${extra}`;
      message = `unknown property "${extra}"`;
    } else if (e.keyword === 'required') {
      message = `must have required property "${(e.params as { missingProperty: string }).missingProperty}"`;
    } else if (e.keyword === 'enum') {
      message = `must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'const') {
      message = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    } else if (e.keyword === 'pattern') {
      const pattern = (e.params as { pattern: string }).pattern;
      message = PATTERN_HINTS.find(([re]) => re.test(pattern))?.[1] ?? message;
    }
    return { path, message };
  }
}

export function formatIssue(issue: ValidationIssue): string {
  return `${issue.path || '/'}: ${issue.message}`;
}
