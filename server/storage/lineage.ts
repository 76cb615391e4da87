import { LINEAGE_MAX_FLOWFILES, type Lineage, type ProvenanceEvent } from '../engine/provenance';
import { getOrInsert } from '../util/maps';

/**
 * Builds the lineage of a FlowFile from a set of events: every ancestor (through parentIds) and every
 * descendant (through childIds), then a graph of events linked in time order per FlowFile plus the
 * parent → child links of FORK, JOIN and CLONE.
 */
export function buildLineage(
  flowFileId: string,
  eventsOf: (ffId: string) => ProvenanceEvent[],
  /** Told how to recognise an event already gathered, so `eventsOf` may skip building it again. */
  gathered?: (has: (eventId: number) => boolean) => void,
): Lineage {
  const seen = new Set<string>([flowFileId]);
  const todo = [flowFileId];
  const events = new Map<number, ProvenanceEvent>();
  gathered?.((eventId) => events.has(eventId));
  let truncated = false;
  // Breadth first, so a cut-off keeps the nearest relatives; an event is expanded once (a FORK's child list
  // is walked once, not once per child).
  for (let next = 0; next < todo.length; next++) {
    const id = todo[next]!;
    for (const e of eventsOf(id)) {
      if (events.has(e.eventId)) continue;
      events.set(e.eventId, e);
      for (const list of [[e.flowFileId], e.parentIds, e.childIds])
        for (const other of list) {
          if (seen.has(other)) continue;
          if (seen.size >= LINEAGE_MAX_FLOWFILES) {
            truncated = true;
            break;
          }
          seen.add(other);
          todo.push(other);
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
  return { flowFileId, flowFileIds: [...seen], events: ordered, nodes, edges, ...(truncated && { truncated }) };
}
