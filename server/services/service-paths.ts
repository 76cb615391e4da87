/**
 * Services in a stored flow definition (which may not validate): found by their path (`rabbit`, `groupA/rabbit`:
 * group ids from the flow down, then the service id), and the components that reference one, resolved as the
 * validator does (nearest group first).
 */
import { isInternalType } from '../../processors/internal/pass-through';
import type { ProcessorRegistry } from '../engine/processor-registry';
import { globalId } from '../validation/flatten-groups';
import { serviceReferences } from './service-references';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function list(scope: Json, key: string): Json[] {
  const value = scope[key];
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** The service at `path` (group ids, then its id) of a definition, and the groups it is in. */
export function serviceAt(
  definition: unknown,
  path: readonly string[],
): { service: Json; groups: string[]; globalId: string } | undefined {
  if (path.length === 0) return undefined;
  let scope: unknown = definition;
  const groups = path.slice(0, -1);
  for (const id of groups) {
    if (!isObject(scope)) return undefined;
    scope = list(scope, 'groups').find((g) => g.id === id);
  }
  if (!isObject(scope)) return undefined;
  const id = path.at(-1)!;
  const service = list(scope, 'services').find((s) => s.id === id);
  return service ? { service, groups, globalId: globalId(groups, id) } : undefined;
}

export interface Referrers {
  /** Global ids of the enabled processors (not `disabled`) that reference the service. */
  processors: string[];
  /** Global ids of the enabled services that reference it. */
  services: string[];
}

/** Who references the service at `path`, among the enabled processors and services of the definition. */
export function enabledReferrers(definition: unknown, path: readonly string[], registry: ProcessorRegistry): Referrers {
  const target = globalId(path.slice(0, -1), path.at(-1)!);
  const out: Referrers = { processors: [], services: [] };
  /** Scopes from the flow down to here: each one's groups and service ids. */
  const visit = (scope: Json, groups: string[], chain: { groups: string[]; ids: Set<string> }[], depth: number) => {
    const here = { groups, ids: new Set(list(scope, 'services').map((s) => String(s.id))) };
    const scopes = [...chain, here];
    const resolves = (id: string) => {
      for (let i = scopes.length - 1; i >= 0; i--)
        if (scopes[i]!.ids.has(id)) return globalId(scopes[i]!.groups, id) === target;
      return false;
    };
    const references = (schema: object | undefined, config: unknown) =>
      schema !== undefined && serviceReferences(schema, config).some((r) => resolves(r.reference.service));
    for (const p of list(scope, 'processors')) {
      if (p.disabled === true || typeof p.type !== 'string' || typeof p.id !== 'string' || isInternalType(p.type))
        continue;
      if (references(registry.get(p.type)?.config, p.config)) out.processors.push(globalId(groups, p.id));
    }
    for (const s of list(scope, 'services')) {
      if (s.enabled === false || typeof s.type !== 'string' || typeof s.id !== 'string') continue;
      if (references(registry.services.get(s.type)?.config, s.config)) out.services.push(globalId(groups, s.id));
    }
    if (depth > 64) return;
    for (const g of list(scope, 'groups')) if (typeof g.id === 'string') visit(g, [...groups, g.id], scopes, depth + 1);
  };
  if (isObject(definition)) visit(definition, [], [], 0);
  return out;
}
