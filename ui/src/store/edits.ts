/**
 * Pure edits of the canvas graph that need more than an array update: wiring a relationship, deleting with the
 * attached connections, copying a selection and pasting it under fresh ids.
 */
import type { Endpoint, GroupSpec, PortSpec } from '../../../flows/flow-schema';
import type { ConnectionSpec, Flow, ProcessorSpec } from '../api/types';
import {
  connectionToEdge,
  edgeToConnection,
  type GroupNode,
  type Level,
  type LevelNode,
  levelNodeToSpec,
  nodeToProcessor,
  PASS_RELATIONSHIP,
  type ProcessorNode,
  processorToNode,
  type QueueEdge,
  uniqueId,
} from '../flow-mapping';

const endpointKey = (e: Endpoint) => (typeof e === 'string' ? e : `${e.group}\u0000${e.port}`);
const endpointLabel = (e: Endpoint) => (typeof e === 'string' ? e : `${e.group}-${e.port}`);

/**
 * Routes `relationship` of `source` to `target`: adds it to the connection already joining the two, or creates a
 * new connection. Returns the same array when the relationship is already routed there. An endpoint may be a
 * port of a child group (`{group, port}`); `passThrough` names the level's funnels and input ports.
 */
export function connectRelationship(
  edges: readonly QueueEdge[],
  link: { source: Endpoint; relationship: string; target: Endpoint },
  passThrough?: ReadonlySet<string>,
): QueueEdge[] {
  const existing = edges.find((e) => {
    const c = edgeToConnection(e);
    return endpointKey(c.source) === endpointKey(link.source) && endpointKey(c.target) === endpointKey(link.target);
  });
  if (existing) {
    const spec = edgeToConnection(existing);
    if (spec.relationships.includes(link.relationship)) return edges as QueueEdge[];
    const updated = connectionToEdge(
      { ...spec, relationships: [...spec.relationships, link.relationship] },
      passThrough,
    );
    return edges.map((e) => (e.id === existing.id ? { ...updated, selected: e.selected } : e));
  }
  const id = uniqueId(
    `${endpointLabel(link.source)}-${link.relationship}-${endpointLabel(link.target)}`,
    new Set(edges.map((e) => e.id)),
  );
  const spec: ConnectionSpec = { id, source: link.source, relationships: [link.relationship], target: link.target };
  return [...edges, connectionToEdge(spec, passThrough)];
}

/** Removes the selected nodes and edges, and every edge attached to a removed node. */
export function removeSelected<N extends { id: string; selected?: boolean }>(
  nodes: readonly ProcessorNode[],
  edges: readonly QueueEdge[],
  others: readonly N[] = [],
): { nodes: ProcessorNode[]; edges: QueueEdge[]; others: N[]; removed: number } {
  const gone = new Set([...nodes, ...others].filter((n) => n.selected).map((n) => n.id));
  const keptNodes = nodes.filter((n) => !gone.has(n.id));
  const keptOthers = others.filter((n) => !gone.has(n.id));
  const keptEdges = edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
  return {
    nodes: keptNodes,
    edges: keptEdges,
    others: keptOthers,
    removed: nodes.length - keptNodes.length + others.length - keptOthers.length + edges.length - keptEdges.length,
  };
}

/** Every id taken at a level (ids are unique within a group across all kinds of components). */
export function idsOf(level: Level): Set<string> {
  return new Set(
    [
      ...(level.processors ?? []),
      ...(level.connections ?? []),
      ...(level.funnels ?? []),
      ...(level.labels ?? []),
      ...(level.groups ?? []),
      ...(level.inputPorts ?? []),
      ...(level.outputPorts ?? []),
    ].map((x) => x.id),
  );
}

const shift = <T extends { position?: { x: number; y: number } }>(item: T, dx: number, dy: number): T =>
  item.position ? { ...item, position: { x: item.position.x + dx, y: item.position.y + dy } } : item;

/**
 * Moves the processors `ids` of a level into a new group. A connection between two of them moves in as it is;
 * one that crosses the group's border is cut at a new port: leaving the group, the inner part keeps the
 * relationships and leads to an output port, the outer part (same id) leads from `{group, port}` to where it
 * went; entering, the outer part keeps the relationships and leads to `{group, port}` of an input port, the inner
 * part leads from the port. Positions inside the group are relative to the group's position (the top-left of the
 * moved processors). Returns null when none of `ids` is a processor of the level.
 */
export function groupProcessors(
  level: Level,
  ids: readonly string[],
  options: { id?: string; name?: string } = {},
): { level: Level; groupId: string } | null {
  const picked = new Set(ids);
  const moved = (level.processors ?? []).filter((p) => picked.has(p.id));
  if (moved.length === 0) return null;
  const inside = new Set(moved.map((p) => p.id));
  const isIn = (e: Endpoint) => typeof e === 'string' && inside.has(e);
  const groupId = uniqueId(options.id ?? 'group', idsOf(level));
  const xs = moved.map((p) => p.position?.x ?? 0);
  const ys = moved.map((p) => p.position?.y ?? 0);
  const origin = { x: Math.min(...xs), y: Math.min(...ys) };
  const height = Math.max(...ys) - origin.y;

  const innerTaken = new Set([...inside, ...(level.connections ?? []).map((c) => c.id)]);
  const inputPorts: PortSpec[] = [];
  const outputPorts: PortSpec[] = [];
  const innerConnections: ConnectionSpec[] = [];
  const outerConnections: ConnectionSpec[] = [];
  for (const c of level.connections ?? []) {
    const from = isIn(c.source);
    const to = isIn(c.target);
    if (from && to) innerConnections.push(c);
    else if (from) {
      const port = uniqueId(`to-${endpointLabel(c.target)}`, innerTaken);
      innerTaken.add(port);
      outputPorts.push({ id: port, position: { x: outputPorts.length * 240, y: height + 250 } });
      innerConnections.push({ ...c, target: port });
      outerConnections.push({ ...c, source: { group: groupId, port }, relationships: [PASS_RELATIONSHIP] });
    } else if (to) {
      const port = uniqueId(`from-${endpointLabel(c.source)}`, innerTaken);
      innerTaken.add(port);
      inputPorts.push({ id: port, position: { x: inputPorts.length * 240, y: -200 } });
      outerConnections.push({ ...c, target: { group: groupId, port } });
      innerConnections.push({ ...c, source: port, relationships: [PASS_RELATIONSHIP] });
    } else outerConnections.push(c);
  }
  const group: GroupSpec = {
    id: groupId,
    name: options.name ?? 'Group',
    position: origin,
    inputPorts,
    outputPorts,
    processors: moved.map((p) => shift(p, -origin.x, -origin.y)),
    connections: innerConnections,
  };
  return {
    groupId,
    level: {
      ...level,
      processors: (level.processors ?? []).filter((p) => !inside.has(p.id)),
      connections: outerConnections,
      groups: [...(level.groups ?? []), group],
    },
  };
}

/**
 * The reverse of `groupProcessors`: the group's processors, funnels and labels move out to the level (renamed
 * when their id is taken, placed at the group's position), and each path through a port becomes one connection:
 * the part that keeps the relationships (inside for an output port, outside for an input port) with the other
 * part's far end, under the outer part's id. Returns null for a group that holds groups (or is not there).
 */
export function ungroupGroup(level: Level, groupId: string): Level | null {
  const group = (level.groups ?? []).find((g) => g.id === groupId);
  if (!group || (group.groups ?? []).length > 0) return null;
  const origin = group.position ?? { x: 0, y: 0 };
  const taken = idsOf(level);
  taken.delete(groupId);
  const rename = new Map<string, string>();
  const claim = (id: string) => {
    const fresh = uniqueId(id, taken);
    taken.add(fresh);
    rename.set(id, fresh);
    return fresh;
  };
  const processors = (group.processors ?? []).map((p) => ({ ...shift(p, origin.x, origin.y), id: claim(p.id) }));
  const funnels = (group.funnels ?? []).map((f) => ({ ...shift(f, origin.x, origin.y), id: claim(f.id) }));
  const labels = (group.labels ?? []).map((l) => ({ ...shift(l, origin.x, origin.y), id: claim(l.id) }));
  const inPorts = new Set((group.inputPorts ?? []).map((p) => p.id));
  const outPorts = new Set((group.outputPorts ?? []).map((p) => p.id));
  const local = (e: Endpoint): Endpoint => (typeof e === 'string' ? (rename.get(e) ?? e) : e);
  const atPort = (e: Endpoint, port: string) => typeof e !== 'string' && e.group === groupId && e.port === port;

  const inner = group.connections ?? [];
  const outer = level.connections ?? [];
  const connections: ConnectionSpec[] = [];
  const merged: ConnectionSpec[] = [];
  for (const c of outer) {
    if (typeof c.target !== 'string' && c.target.group === groupId) {
      // Into the group: joined to each inner connection leaving that input port.
      const port = c.target.port;
      for (const i of inner.filter((x) => x.source === port)) merged.push({ ...c, target: local(i.target) });
    } else if (typeof c.source !== 'string' && c.source.group === groupId) continue;
    else connections.push(c);
  }
  for (const i of inner) {
    if (typeof i.source === 'string' && inPorts.has(i.source)) continue;
    if (typeof i.target === 'string' && outPorts.has(i.target)) {
      const port = i.target;
      for (const o of outer.filter((x) => atPort(x.source, port)))
        merged.push({ ...i, id: o.id, source: local(i.source), target: o.target });
      continue;
    }
    merged.push({ ...i, id: claim(i.id), source: local(i.source), target: local(i.target) });
  }
  // Outer ids stay (they are the level's already); a second path through one port gets a fresh id.
  const used = new Set(connections.map((c) => c.id));
  for (const m of merged) {
    const id = used.has(m.id) ? uniqueId(m.id, new Set([...taken, ...used])) : m.id;
    used.add(id);
    connections.push({ ...m, id });
  }
  const out: Level = {
    ...level,
    processors: [...(level.processors ?? []), ...processors],
    connections,
    groups: (level.groups ?? []).filter((g) => g.id !== groupId),
  };
  if (funnels.length > 0 || level.funnels) out.funnels = [...(level.funnels ?? []), ...funnels];
  if (labels.length > 0 || level.labels) out.labels = [...(level.labels ?? []), ...labels];
  return out;
}

/** What Ctrl+C keeps: the selected processors and group cards (whole), and the connections between them. */
export interface Clip {
  processors: ProcessorSpec[];
  connections: ConnectionSpec[];
  groups?: GroupSpec[];
}

const endpointNode = (e: Endpoint) => (typeof e === 'string' ? e : e.group);

export function copySelected(
  nodes: readonly ProcessorNode[],
  edges: readonly QueueEdge[],
  others: readonly LevelNode[] = [],
): Clip | null {
  const picked = nodes.filter((n) => n.selected);
  const groups = others.filter((n): n is GroupNode => n.type === 'processGroup' && Boolean(n.selected));
  if (picked.length === 0 && groups.length === 0) return null;
  const ids = new Set([...picked, ...groups].map((n) => n.id));
  const clip: Clip = {
    processors: structuredClone(picked.map(nodeToProcessor)),
    connections: structuredClone(
      edges
        .map((e) => edgeToConnection(e))
        .filter((c) => ids.has(endpointNode(c.source)) && ids.has(endpointNode(c.target))),
    ),
  };
  if (groups.length > 0) clip.groups = structuredClone(groups.map((g) => levelNodeToSpec(g) as GroupSpec));
  return clip;
}

/**
 * The clip as new nodes, group cards and edges with ids unused at the level, moved by `offset`, and selected. A
 * group keeps its content as it is (ids are unique per group); only its own id may change.
 */
export function pasteClip(
  clip: Clip,
  nodes: readonly ProcessorNode[],
  edges: readonly QueueEdge[],
  offset: { x: number; y: number },
  others: readonly LevelNode[] = [],
): { nodes: ProcessorNode[]; edges: QueueEdge[]; others: LevelNode[] } {
  const taken = new Set([...nodes, ...others, ...edges].map((n) => n.id));
  const rename = new Map<string, string>();
  const claim = (old: string) => {
    const id = uniqueId(old, taken);
    taken.add(id);
    rename.set(old, id);
    return id;
  };
  const moved = (position: { x: number; y: number } | undefined) => {
    const p = position ?? { x: 0, y: 0 };
    return { x: p.x + offset.x, y: p.y + offset.y };
  };
  const newNodes = clip.processors.map((p) => ({
    ...processorToNode({ ...structuredClone(p), id: claim(p.id), position: moved(p.position) }),
    selected: true,
  }));
  const newGroups: LevelNode[] = (clip.groups ?? []).map((g) => {
    const { position, ...spec } = structuredClone(g);
    const id = claim(g.id);
    return { id, type: 'processGroup', position: moved(position), data: { spec: { ...spec, id } }, selected: true };
  });
  const local = (e: Endpoint): Endpoint =>
    typeof e === 'string' ? rename.get(e)! : { group: rename.get(e.group)!, port: e.port };
  const newEdges = clip.connections.map((c) => {
    const id = uniqueId(c.id, taken);
    taken.add(id);
    return {
      ...connectionToEdge({ ...structuredClone(c), id, source: local(c.source), target: local(c.target) }),
      selected: true,
    };
  });
  return {
    nodes: [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...newNodes],
    edges: [...edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...newEdges],
    others: [...others.map((n) => (n.selected ? { ...n, selected: false } : n)), ...newGroups],
  };
}

/**
 * A flow file (schemaVersion 2) whose single top-level group is `group`, so that it keeps its ports; the file is
 * named after the group.
 */
export function groupToFlowFile(group: GroupSpec): Flow {
  const { position: _position, ...rest } = structuredClone(group);
  return {
    schemaVersion: 2,
    id: group.id,
    name: group.name ?? group.id,
    processors: [],
    connections: [],
    groups: [{ ...rest, position: { x: 0, y: 0 } }],
  };
}

/**
 * Adds the content of a flow file to a level as one new group: the file's single top-level group when it holds
 * nothing else, otherwise a group made of its top-level processors, connections, funnels, labels and groups
 * (named after the file). The group's id is renamed when the level has it already.
 */
export function importIntoLevel(
  level: Level,
  file: Flow,
  position: { x: number; y: number } = { x: 0, y: 0 },
): { level: Level; groupId: string } {
  const f = structuredClone(file);
  const only =
    (f.groups ?? []).length === 1 &&
    (f.processors ?? []).length === 0 &&
    (f.connections ?? []).length === 0 &&
    (f.funnels ?? []).length === 0 &&
    (f.labels ?? []).length === 0;
  let group: GroupSpec;
  if (only) group = f.groups![0]!;
  else {
    group = { id: f.id, name: f.name, processors: f.processors ?? [], connections: f.connections ?? [] };
    if (f.description) group.description = f.description;
    if (f.funnels) group.funnels = f.funnels;
    if (f.labels) group.labels = f.labels;
    if (f.groups) group.groups = f.groups;
  }
  const groupId = uniqueId(group.id, idsOf(level));
  return {
    groupId,
    level: { ...level, groups: [...(level.groups ?? []), { ...group, id: groupId, position }] },
  };
}
