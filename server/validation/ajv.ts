import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** One ajv for the whole product: draft 2020-12, strict schemas, every error reported. */
export function createAjv(options: { useDefaults?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, useDefaults: options.useDefaults ?? false });
  const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
  addFormats(ajv);
  // Annotation for the UI: "jsonata" marks a string the config form shows in a monospace expression field.
  ajv.addKeyword({ keyword: 'x-format', schemaType: 'string' });
  return ajv;
}

export interface ValidationIssue {
  /** JSON pointer into the validated document, "" for the root. */
  path: string;
  message: string;
}

/** ajv errors as path-named issues, with the path prefixed (e.g. "/processors/2/config"). */
export function toIssues(errors: readonly ErrorObject[] | null | undefined, prefix = ''): ValidationIssue[] {
  return (errors ?? []).map((e) => {
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
    }
    return { path, message };
  });
}

export function formatIssue(issue: ValidationIssue): string {
  return `${issue.path || '/'}: ${issue.message}`;
}
