/**
 * How sensitive parameter values cross the API: write-only.
 *
 * - Read (`maskSensitive`): a sensitive parameter shows `{"name", "sensitive": true, "set": true|false}`, never
 *   its value.
 * - Export (`stripSensitive`): name and `"sensitive": true`, no value and no `set`.
 * - Write (`withStoredSecrets`): a sensitive parameter without `value` keeps the value stored for the same
 *   context id and parameter name; `"value": null` clears it; a string sets it. `set` is dropped (read only).
 *
 * Each works on a document that may not be a valid flow (an invalid flow is stored and shown too).
 */
import type { ValidationIssue } from '../validation/ajv';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A copy of `flow` with every parameter rewritten by `edit` (the flow itself when it has no parameters). */
export function mapParameters(flow: unknown, edit: (parameter: Json, contextId: unknown) => Json): unknown {
  if (!isObject(flow) || !Array.isArray(flow.parameterContexts)) return flow;
  return {
    ...flow,
    parameterContexts: flow.parameterContexts.map((c: unknown) => {
      if (!isObject(c) || !Array.isArray(c.parameters)) return c;
      return { ...c, parameters: c.parameters.map((p: unknown) => (isObject(p) ? edit(p, c.id) : p)) };
    }),
  };
}

/** The flow as the API shows it: sensitive values replaced by `set`. */
export function maskSensitive(flow: unknown): unknown {
  return mapParameters(flow, (p) => {
    if (p.sensitive !== true) return p;
    const { value, set: _set, ...rest } = p;
    return { ...rest, set: typeof value === 'string' };
  });
}

/** The flow as an export writes it: sensitive parameters without value (and no `set` anywhere). */
export function stripSensitive(flow: unknown): unknown {
  return mapParameters(flow, (p) => {
    const { set: _set, ...rest } = p;
    if (p.sensitive !== true) return rest;
    const { value: _value, ...kept } = rest;
    return kept;
  });
}

/**
 * A written flow with the write-only rules applied against the flow stored under the same id (if any): an
 * absent sensitive value is kept from `stored`, `null` clears a value, `set` is dropped.
 */
export function withStoredSecrets(input: unknown, stored: unknown): unknown {
  const kept = new Map<string, unknown>();
  mapParameters(stored, (p, contextId) => {
    if (p.sensitive === true && typeof p.value === 'string' && typeof p.name === 'string')
      kept.set(JSON.stringify([contextId, p.name]), p.value);
    return p;
  });
  return mapParameters(input, (p, contextId) => {
    const { set: _set, ...rest } = p;
    if (rest.value === null) {
      const { value: _null, ...cleared } = rest;
      return cleared;
    }
    if (rest.sensitive === true && !Object.hasOwn(rest, 'value')) {
      const value = kept.get(JSON.stringify([contextId, rest.name]));
      if (value !== undefined) return { ...rest, value };
    }
    return rest;
  });
}

/** The values of the sensitive parameters of a flow (as stored in memory, plain). */
export function sensitiveValuesOf(flow: unknown): string[] {
  const values: string[] = [];
  mapParameters(flow, (p) => {
    if (p.sensitive === true && typeof p.value === 'string') values.push(p.value);
    return p;
  });
  return values;
}

/** The issue a sensitive parameter without value gets (an imported flow is saved with it, invalid). */
export function isMissingSensitiveValue(issue: ValidationIssue): boolean {
  return (
    /^\/parameterContexts\/\d+\/parameters\/\d+\/value$/.test(issue.path) &&
    /^sensitive parameter ".*" of context ".*" has no value$/.test(issue.message)
  );
}
