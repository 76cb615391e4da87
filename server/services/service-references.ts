/**
 * Where a config references services: the places whose schema says `"x-service": kind` (made by
 * `serviceReference`, at any depth of the config schema, also as a branch of anyOf/oneOf) holding a
 * `{"service": id}` object. One walk serves the validator (checks and rewrites ids), the engine (which processor
 * needs which service) and the API (who references the service being disabled).
 */
import { type ConfigKey, type Schema, walkWithSchema } from '../parameters/schema-at';
import { isServiceReference, type ServiceKind, type ServiceReference } from './service-contract';

export interface FoundReference {
  /** JSON pointer of the reference object within the config ("/connection"). */
  pointer: string;
  kind: ServiceKind;
  /** The object itself: the validator rewrites its `service` to the global id. */
  reference: ServiceReference;
}

export function pointerOf(keys: readonly ConfigKey[]): string {
  return keys.map((k) => `/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** Whether a schema has any `x-service` place (so configs of the others need no walk). */
export function hasServiceReference(schema: unknown, depth = 0): boolean {
  if (schema === null || typeof schema !== 'object' || depth > 32) return false;
  if (typeof (schema as Schema)['x-service'] === 'string') return true;
  return Object.values(schema as Schema).some((v) =>
    Array.isArray(v) ? v.some((x) => hasServiceReference(x, depth + 1)) : hasServiceReference(v, depth + 1),
  );
}

/** Every service reference in `config` at a place `schema` declares one. */
export function serviceReferences(schema: unknown, config: unknown): FoundReference[] {
  const found: FoundReference[] = [];
  if (!hasServiceReference(schema)) return found;
  walkWithSchema(schema, config, (value, keys, candidates) => {
    if (value === null || typeof value !== 'object') return true;
    const kind = candidates.map((s) => s['x-service']).find((k): k is string => typeof k === 'string');
    if (kind === undefined || !isServiceReference(value)) return false;
    found.push({ pointer: pointerOf(keys), kind, reference: value });
    return true;
  });
  return found;
}
