/**
 * Controller services as the canvas sees them in the flow document: declared per level (the flow or a group,
 * `services: [{id, type, name?, config, enabled?}]`) and referenced from processor properties as
 * `{"service": "<id>"}`. A processor sees the services of its own level and of every level above it; the
 * nearest level that declares the id wins. Global ids join the level's group ids and the service id with `__`,
 * as processors' do (what the status stream keys by).
 */
import type { Flow, ProcessorSpec } from '../api/types';
import { GROUP_SEPARATOR, kebab, levelAt, uniqueId, withLevel } from '../flow-mapping';
import { allProcessors, type Referrer } from './parameters';

/** A service as written in a flow (a narrow local type until the flow schema declares it). */
export interface ServiceSpec {
  id: string;
  type: string;
  name?: string;
  description?: string;
  config?: Record<string, unknown>;
  /** Default true. */
  enabled?: boolean;
}

/** A service in a processor's (or a level's) scope. */
export interface ScopedService {
  /** The level that declares it. */
  path: string[];
  service: ServiceSpec;
  globalId: string;
}

type WithServices = { services?: ServiceSpec[] };

export function servicesOfLevel(flow: Flow, path: readonly string[]): ServiceSpec[] {
  const level = levelAt(flow, path) as WithServices | undefined;
  return Array.isArray(level?.services) ? level.services : [];
}

export const serviceGlobalId = (path: readonly string[], id: string) => [...path, id].join(GROUP_SEPARATOR);

/** What `*service` is in `/api/flows/:id/services/*service/enable`: `rabbit`, `groupA/rabbit`. */
export const serviceRoutePath = (path: readonly string[], id: string) => [...path, id].join('/');

/** The services level `path` sees, nearest level first; an id declared nearer hides the same id above. */
export function servicesInScope(flow: Flow | null | undefined, path: readonly string[]): ScopedService[] {
  if (!flow) return [];
  const out: ScopedService[] = [];
  const seen = new Set<string>();
  for (let depth = path.length; depth >= 0; depth--) {
    const at = path.slice(0, depth);
    if (!levelAt(flow, at)) continue;
    for (const service of servicesOfLevel(flow, at)) {
      if (seen.has(service.id)) continue;
      seen.add(service.id);
      out.push({ path: at, service, globalId: serviceGlobalId(at, service.id) });
    }
  }
  return out;
}

/** The service ids a config references (`{"service": "<id>"}` objects at any depth). */
export function findServiceReferences(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) findServiceReferences(v, into);
  else if (value && typeof value === 'object') {
    const service = (value as { service?: unknown }).service;
    if (typeof service === 'string') into.add(service);
    for (const v of Object.values(value)) if (v && typeof v === 'object') findServiceReferences(v, into);
  }
  return into;
}

/** Processors (at the service's level or below) whose reference to `id` resolves to the service of level `path`. */
export function serviceReferrers(flow: Flow, path: readonly string[], id: string): Referrer[] {
  const out: Referrer[] = [];
  const prefix = path.join('/');
  for (const { path: at, processor } of allProcessors(flow)) {
    if (path.length > 0 && !(at.join('/') === prefix || at.join('/').startsWith(`${prefix}/`))) continue;
    if (!findServiceReferences(processor.config).has(id)) continue;
    const hit = servicesInScope(flow, at).find((s) => s.service.id === id);
    if (hit && hit.path.join('/') === prefix)
      out.push({ path: at, id: processor.id, name: processor.name ?? processor.id });
  }
  return out;
}

function withServices(flow: Flow, path: readonly string[], services: ServiceSpec[]): Flow {
  const level = levelAt(flow, path) as (WithServices & object) | undefined;
  if (!level) return flow;
  const next: WithServices = { ...level, services };
  if (services.length === 0) delete next.services;
  const out = withLevel(flow, path, next as never);
  return out.schemaVersion === 2 ? out : { ...out, schemaVersion: 2 };
}

/** Ids a new service at level `path` may not take (ids are unique within a group across kinds). */
function takenAt(flow: Flow, path: readonly string[]): Set<string> {
  const level = (levelAt(flow, path) ?? {}) as Record<string, unknown>;
  const ids = new Set<string>();
  for (const list of Object.values(level))
    if (Array.isArray(list))
      for (const x of list) if (x && typeof (x as { id?: unknown }).id === 'string') ids.add((x as { id: string }).id);
  return ids;
}

export function addService(
  flow: Flow,
  path: readonly string[],
  type: string,
  config: Record<string, unknown> = {},
): { flow: Flow; id: string } {
  const id = uniqueId(kebab(type), takenAt(flow, path));
  return { flow: withServices(flow, path, [...servicesOfLevel(flow, path), { id, type, config }]), id };
}

export function updateService(
  flow: Flow,
  path: readonly string[],
  id: string,
  update: (s: ServiceSpec) => ServiceSpec,
): Flow {
  return withServices(
    flow,
    path,
    servicesOfLevel(flow, path).map((s) => (s.id === id ? update(s) : s)),
  );
}

export function removeService(flow: Flow, path: readonly string[], id: string): Flow {
  return withServices(
    flow,
    path,
    servicesOfLevel(flow, path).filter((s) => s.id !== id),
  );
}

/** The processor a referrer names (to select it). */
export function processorAt(flow: Flow, path: readonly string[], id: string): ProcessorSpec | undefined {
  return levelAt(flow, path)?.processors?.find((p) => p.id === id);
}
