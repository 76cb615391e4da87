import { readFile } from 'node:fs/promises';
import type { ProcessorRegistry } from './engine/processor-registry';
import type { ValidationIssue } from './validation/ajv';
import { type FlowCheck, type ValidateOptions, validateFlow } from './validation/flow-validator';
import { stripBom } from './validation/nesting';

/**
 * Parses JSON text (a leading UTF-8 byte-order mark is dropped, as the API does); a syntax error becomes an
 * issue at the root naming the position.
 */
export function parseFlowJson(text: string): { ok: true; value: unknown } | { ok: false; issues: ValidationIssue[] } {
  try {
    return { ok: true, value: JSON.parse(stripBom(text)) };
  } catch (err) {
    return { ok: false, issues: [{ path: '', message: `invalid JSON: ${(err as Error).message}` }] };
  }
}

/** Reads, parses and validates a flow file: the same checks as the server, given the same options. */
export async function loadFlowFile(
  file: string,
  registry: ProcessorRegistry,
  options: ValidateOptions = {},
): Promise<FlowCheck> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, issues: [{ path: '', message: `cannot read file: ${(err as Error).message}` }] };
  }
  const parsed = parseFlowJson(text);
  if (!parsed.ok) return parsed;
  return validateFlow(parsed.value, registry, options);
}
