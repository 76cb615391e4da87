import type { ResolvedConnection, ResolvedFlow, ResolvedProcessor, ResolvedService } from '../../flows/flow-schema';

/**
 * What a new definition of a flow changes for the engine running the old one (as Node-RED's Flow.start(diff):
 * only what changed is stopped and started again).
 *
 * - Processors: `added`, `removed`, `changed` (a field that matters to running it differs: type, config,
 *   schedule, disabled, autoTerminate, executionMode) and `rewired` (itself the same, but one of its incoming or
 *   outgoing connections is added, removed or changed: it must be bound to its new set of queues). `changed`
 *   and `rewired` are rebuilt and restarted; `unchanged` ones keep running untouched.
 * - Connections: `added`, `removed`, `changed` (source, target, relationships, backPressure, expiration or
 *   prioritizer differs), `unchanged`.
 *
 * - Services: `added`, `removed`, `changed` (type, config or enabled differs, or a service it references
 *   changed: it holds that one's instance). A processor referencing a changed or removed service is `rewired`
 *   (restarted with the new instance); one referencing only unchanged services is left alone.
 *
 * A processor's name and position, a connection's name, and a service's name and description are cosmetic: they
 * never count as a change. Key order, and the order of `autoTerminate` and `relationships` (sets), do not either.
 */
export interface FlowDiff {
  processors: { added: string[]; removed: string[]; changed: string[]; rewired: string[]; unchanged: string[] };
  connections: { added: string[]; removed: string[]; changed: string[]; unchanged: string[] };
  services: { added: string[]; removed: string[]; changed: string[]; unchanged: string[] };
}

/** Which services (global ids) a processor's or a service's config references (needs the config schemas). */
export interface ServiceReferences {
  ofProcessor(p: ResolvedProcessor): readonly string[];
  ofService(s: ResolvedService): readonly string[];
}

const NO_REFERENCES: ServiceReferences = { ofProcessor: () => [], ofService: () => [] };

export function diffFlows(
  prev: ResolvedFlow,
  next: ResolvedFlow,
  references: ServiceReferences = NO_REFERENCES,
): FlowDiff {
  const services = diffById(prev.services ?? [], next.services ?? [], serviceKey);
  // A service referencing a changed one changes too (it holds the old instance), transitively.
  const replaced = new Set([...services.removed, ...services.changed]);
  const nextServices = new Map((next.services ?? []).map((s) => [s.id, s]));
  for (let grew = true; grew; ) {
    grew = false;
    for (const id of services.unchanged) {
      const spec = nextServices.get(id);
      if (replaced.has(id) || !spec || !references.ofService(spec).some((r) => replaced.has(r))) continue;
      replaced.add(id);
      grew = true;
    }
  }
  services.changed = [...services.changed, ...services.unchanged.filter((id) => replaced.has(id))];
  services.unchanged = services.unchanged.filter((id) => !replaced.has(id));
  const connections = diffById(prev.connections, next.connections, connectionKey);
  // Both ends of a connection that comes, goes or changes (its old ends and its new ones) are bound anew.
  const touched = new Set<string>();
  const before = new Map(prev.connections.map((c) => [c.id, c]));
  const after = new Map(next.connections.map((c) => [c.id, c]));
  const mark = (c: ResolvedConnection | undefined) => {
    if (!c) return;
    touched.add(c.source);
    touched.add(c.target);
  };
  for (const id of [...connections.removed, ...connections.changed]) mark(before.get(id));
  for (const id of [...connections.added, ...connections.changed]) mark(after.get(id));
  const own = diffById(prev.processors, next.processors, processorKey);
  if (replaced.size > 0)
    for (const p of next.processors) if (references.ofProcessor(p).some((r) => replaced.has(r))) touched.add(p.id);
  const rewired = own.unchanged.filter((id) => touched.has(id));
  return {
    processors: {
      added: own.added,
      removed: own.removed,
      changed: own.changed,
      rewired,
      unchanged: own.unchanged.filter((id) => !touched.has(id)),
    },
    connections,
    services,
  };
}

/** The processors a diff stops and starts again (their own definition or their wiring changed). */
export function restartedBy(diff: FlowDiff): string[] {
  return [...diff.processors.changed, ...diff.processors.rewired];
}

function diffById<T extends { id: string }>(prev: readonly T[], next: readonly T[], key: (item: T) => string) {
  const before = new Map(prev.map((item) => [item.id, item]));
  const after = new Set(next.map((item) => item.id));
  const added: string[] = [];
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const item of next) {
    const old = before.get(item.id);
    if (!old) added.push(item.id);
    else if (key(old) === key(item)) unchanged.push(item.id);
    else changed.push(item.id);
  }
  const removed = prev.filter((item) => !after.has(item.id)).map((item) => item.id);
  return { added, removed, changed, unchanged };
}

function processorKey(p: ResolvedProcessor): string {
  const { name: _name, position: _position, autoTerminate, ...rest } = p;
  return canonical({ ...rest, autoTerminate: [...autoTerminate].sort() });
}

function serviceKey(s: ResolvedService): string {
  const { name: _name, description: _description, ...rest } = s;
  return canonical(rest);
}

function connectionKey(c: ResolvedConnection): string {
  const { name: _name, relationships, ...rest } = c;
  return canonical({ ...rest, relationships: [...relationships].sort() });
}

/** JSON with object keys sorted, so key order does not count as a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
