/**
 * Properties a processor's config schema declares `"x-sensitive": true` (passwords, tokens) hold a secret: the
 * only values accepted are a reference to a sensitive parameter (`#{rabbit.password}`, as NiFi enforces), the
 * connectors' `${NAME}` (an environment variable they read when they start, never stored), or nothing.
 * Checked on the config as validation sees it, where sensitive references are still as written (see
 * resolve-references.ts): a plain value, or a parameter that is not sensitive (replaced by its value), is refused.
 */
import type { ConfigIssue } from '../engine/contract';
import { LEGACY_ENV_REFERENCE } from './resolve-references';
import { isSensitive, type Schema, walkWithSchema } from './schema-at';

const SENSITIVE_REFERENCE = /^#\{[A-Za-z0-9._ -]{1,255}\}$/;

/** Whether a value is acceptable in a sensitive property (as validation sees it). */
export function isSensitiveReference(value: string): boolean {
  return value === '' || SENSITIVE_REFERENCE.test(value) || LEGACY_ENV_REFERENCE.test(value);
}

/** An issue for every sensitive property of `config` whose value is not a reference to a secret. */
export function sensitivePropertyIssues(schema: unknown, config: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  walkWithSchema(schema, config, (value, keys, candidates) => {
    if (typeof value !== 'string') return false;
    if (isSensitive(candidates) && !isSensitiveReference(value)) {
      const property = keys.length > 0 ? String(keys.at(-1)) : 'the value';
      issues.push({
        path: keys.map((k) => `/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`).join(''),
        message: `${property} must be a reference to a sensitive parameter, e.g. "#{rabbit.password}" (or to an environment variable the processor reads at start, e.g. "\${RABBIT_PASSWORD}", no default); plain text is refused`,
      });
    }
    return true;
  });
  return issues;
}

/** Whether a schema declares any sensitive property (so configs of the others need no walk). */
export function hasSensitiveProperty(schema: unknown, depth = 0): boolean {
  if (schema === null || typeof schema !== 'object' || depth > 32) return false;
  if ((schema as Schema)['x-sensitive'] === true) return true;
  return Object.values(schema as Schema).some((v) =>
    Array.isArray(v) ? v.some((x) => hasSensitiveProperty(x, depth + 1)) : hasSensitiveProperty(v, depth + 1),
  );
}
