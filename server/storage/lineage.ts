import type { Lineage, ProvenanceEvent } from '../engine/provenance';
import { getOrInsert } from '../util/maps';

/**
 * Builds the lineage of a FlowFile from a set of events: every ancestor (through parentIds) and every
 * descendant (through childIds), then a graph of events linked in time order per FlowFile plus the
 * parent → child links of FORK, JOIN and CLONE.
 */
export function buildLineage(flowFileId: string, eventsOf: (ffId: string) => ProvenanceEvent[]): Lineage {
  const seen = new Set<string>([flowFileId]);
  const todo = [flowFileId];
  const events = new Map<number, ProvenanceEvent>();
  while (todo.length > 0) {
    const id = todo.pop()!;
    for (const e of eventsOf(id)) {
      events.set(e.eventId, e);
      for (const other of [...e.parentIds, ...e.childIds, e.flowFileId]) {
        if (!seen.has(other)) {
          seen.add(other);
          todo.push(other);
        }
      }
    }
  }
  const ordered = [...events.values()].sort((a, b) => a.time - b.time || a.eventId - b.eventId);
  const nodes = ordered.map((e) => ({
    id: `e${e.eventId}`,
    eventId: e.eventId,
    type: e.type,
    flowFileId: e.flowFileId,
    time: e.time,
    componentId: e.componentId,
  }));
  const edges: Lineage['edges'] = [];
  const last = new Map<string, ProvenanceEvent>();
  for (const e of ordered) {
    const prev = last.get(e.flowFileId);
    if (prev)
      edges.push({
        id: `e${prev.eventId}-e${e.eventId}`,
        source: `e${prev.eventId}`,
        target: `e${e.eventId}`,
        flowFileId: e.flowFileId,
      });
    last.set(e.flowFileId, e);
  }
  // Parent → child: the event that created the children links to each child's first event.
  const first = new Map<string, ProvenanceEvent>();
  for (const e of ordered) if (!first.has(e.flowFileId)) first.set(e.flowFileId, e);
  for (const e of ordered) {
    if (e.childIds.length === 0) continue;
    for (const child of e.childIds) {
      const target = first.get(child);
      if (target && target.eventId !== e.eventId)
        edges.push({
          id: `e${e.eventId}-e${target.eventId}`,
          source: `e${e.eventId}`,
          target: `e${target.eventId}`,
          flowFileId: child,
        });
    }
  }
  // Parents → the event that names them (a JOIN): from each parent's latest event before it, so a merged
  // FlowFile hangs below the FlowFiles it was made of (unless a FORK / CLONE already links the two).
  const linked = new Set(edges.map((edge) => `${edge.source}>${edge.flowFileId}`));
  const byFlowFile = new Map<string, ProvenanceEvent[]>();
  for (const e of ordered) {
    for (const parent of e.parentIds) {
      const before = byFlowFile.get(parent) ?? [];
      if (before.some((p) => linked.has(`e${p.eventId}>${e.flowFileId}`))) continue;
      const from = before.findLast((p) => p.type !== 'DROP' && p.type !== 'EXPIRE') ?? before.at(-1);
      if (from) {
        linked.add(`e${from.eventId}>${e.flowFileId}`);
        edges.push({
          id: `e${from.eventId}-e${e.eventId}`,
          source: `e${from.eventId}`,
          target: `e${e.eventId}`,
          flowFileId: e.flowFileId,
        });
      }
    }
    getOrInsert(byFlowFile, e.flowFileId, () => []).push(e);
  }
  return { flowFileId, flowFileIds: [...seen], events: ordered, nodes, edges };
}
