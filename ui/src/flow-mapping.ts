/**
 * Flow JSON ⇄ React Flow nodes and edges, in one pure module. The canvas shows one level of the flow at a time:
 * the flow itself (path []) or a process group inside it (path ["intake", "checks"]). At a level, a processor
 * becomes a `processor` node whose data is its spec (everything but the position, which React Flow owns); a child
 * group a `processGroup` card (its whole spec rides in the data), a funnel a `funnel`, a label a `label`, and,
 * inside a group, its ports `inputPort` / `outputPort` nodes. Every connection of the level becomes one `queue`
 * edge; an endpoint `{group, port}` is drawn to the port's handle on the group's card (`@in:port` / `@out:port`).
 * `canvasToFlow(flowToCanvas(f, path))` gives back `f`.
 */
import type { Edge, Node } from '@xyflow/react';
import type { Endpoint, FunnelSpec, GroupSpec, LabelSpec, PortSpec } from '../../flows/flow-schema';
import type { ConnectionSpec, Flow, ProcessorSpec } from './api/types';

export type ProcessorNodeData = { spec: Omit<ProcessorSpec, 'position'> };
export type QueueEdgeData = { spec: Omit<ConnectionSpec, 'source' | 'target'> };
export type ProcessorNode = Node<ProcessorNodeData, 'processor'>;
export type QueueEdge = Edge<QueueEdgeData, 'queue'>;

export type GroupNode = Node<{ spec: Omit<GroupSpec, 'position'> }, 'processGroup'>;
export type FunnelNode = Node<{ spec: Omit<FunnelSpec, 'position'> }, 'funnel'>;
export type LabelNode = Node<{ spec: Omit<LabelSpec, 'position'> }, 'label'>;
export type InputPortNode = Node<{ spec: Omit<PortSpec, 'position'> }, 'inputPort'>;
export type OutputPortNode = Node<{ spec: Omit<PortSpec, 'position'> }, 'outputPort'>;
/** Everything a level draws besides its processors. */
export type LevelNode = GroupNode | FunnelNode | LabelNode | InputPortNode | OutputPortNode;
export type CanvasNode = ProcessorNode | LevelNode;

/** What one level of a flow holds (the flow is the outermost level; a group's lists may be absent). */
export interface Level {
  processors?: ProcessorSpec[];
  connections?: ConnectionSpec[];
  funnels?: FunnelSpec[];
  labels?: LabelSpec[];
  groups?: GroupSpec[];
  inputPorts?: PortSpec[];
  outputPorts?: PortSpec[];
}

/**
 * The whole flow document as last committed, and the path of the level the canvas shows (group ids, outermost
 * first; absent or [] = the flow itself). The level's own lists are replaced by the canvas on the way back.
 */
export type FlowMeta = Flow & { path?: string[] };

/** A connection between two things named by plain ids. */
export type DrawnConnection = ConnectionSpec & { source: string; target: string };

/** The id of every processor's (funnel's, output port's) single input handle. */
export const INPUT_HANDLE = 'in';
/** The output handle of a funnel or an input port (drawn inside its group). */
export const PASS_HANDLE = 'out';
/** The relationship of every port and funnel. */
export const PASS_RELATIONSHIP = 'success';
/** Handle ids of a group card's ports. */
export const groupInHandle = (port: string) => `@in:${port}`;
export const groupOutHandle = (port: string) => `@out:${port}`;
const IN_PREFIX = '@in:';
const OUT_PREFIX = '@out:';

/** The separator of global ids (what the status stream keys by): `intake__checks__validate`. */
export const GROUP_SEPARATOR = '__';
export function globalIdAt(path: readonly string[], id: string): string {
  return [...path, id].join(GROUP_SEPARATOR);
}

/** Where a node without a position goes (auto-layout usually replaces it at once). */
function fallbackPosition(index: number): { x: number; y: number } {
  return { x: (index % 4) * 300, y: Math.floor(index / 4) * 200 };
}

const at = (position: { x: number; y: number } | undefined, index: number) =>
  position ? { x: position.x, y: position.y } : fallbackPosition(index);

export function processorToNode(spec: ProcessorSpec, index = 0): ProcessorNode {
  const { position, ...rest } = spec;
  return { id: spec.id, type: 'processor', position: at(position, index), data: { spec: rest } };
}

/**
 * The edge of a connection. `passThrough` names the funnels and input ports of the level: a connection from one
 * leaves its single output handle rather than a relationship's.
 */
export function connectionToEdge(spec: ConnectionSpec, passThrough?: ReadonlySet<string>): QueueEdge {
  const { source, target, ...rest } = spec;
  const sourceId = typeof source === 'string' ? source : source.group;
  const targetId = typeof target === 'string' ? target : target.group;
  return {
    id: spec.id,
    type: 'queue',
    source: sourceId,
    target: targetId,
    sourceHandle:
      typeof source !== 'string'
        ? groupOutHandle(source.port)
        : passThrough?.has(source)
          ? PASS_HANDLE
          : spec.relationships[0],
    targetHandle: typeof target === 'string' ? INPUT_HANDLE : groupInHandle(target.port),
    data: { spec: rest },
  };
}

export function levelAt(flow: Flow, path: readonly string[]): Level | undefined {
  let level: Level = flow;
  for (const id of path) {
    const next = level.groups?.find((g) => g.id === id);
    if (!next) return undefined;
    level = next;
  }
  return level;
}

/** The longest prefix of `path` that names a level of `flow`. */
export function validPath(flow: Flow, path: readonly string[]): string[] {
  const out: string[] = [];
  let level: Level = flow;
  for (const id of path) {
    const next = level.groups?.find((g) => g.id === id);
    if (!next) break;
    out.push(id);
    level = next;
  }
  return out;
}

/** `flow` with the level at `path` replaced by `level` (nothing else is copied). */
export function withLevel(flow: Flow, path: readonly string[], level: Level): Flow {
  return (path.length === 0 ? level : withLevelOf(flow, path, level)) as Flow;
}

function withLevelOf(group: Level, path: readonly string[], level: Level): Level {
  const [head, ...rest] = path;
  return {
    ...group,
    groups: (group.groups ?? []).map((g) =>
      g.id === head ? (rest.length === 0 ? (level as GroupSpec) : (withLevelOf(g, rest, level) as GroupSpec)) : g,
    ),
  };
}

/** Ids of the level that pass FlowFiles through: its funnels and (inside a group) its input ports. */
export function passThroughIds(level: Level, nested: boolean): Set<string> {
  return new Set([
    ...(level.funnels ?? []).map((f) => f.id),
    ...(nested ? (level.inputPorts ?? []) : []).map((p) => p.id),
  ]);
}

function otherNodes(level: Level, nested: boolean): LevelNode[] {
  const out: LevelNode[] = [];
  (level.groups ?? []).forEach((g, i) => {
    const { position, ...spec } = g;
    out.push({ id: g.id, type: 'processGroup', position: at(position, i), data: { spec } });
  });
  (level.funnels ?? []).forEach((f, i) => {
    const { position, ...spec } = f;
    out.push({ id: f.id, type: 'funnel', position: at(position, i), data: { spec } });
  });
  (level.labels ?? []).forEach((l, i) => {
    const { position, ...spec } = l;
    out.push({ id: l.id, type: 'label', position: at(position, i), data: { spec }, zIndex: -1 });
  });
  if (nested) {
    (level.inputPorts ?? []).forEach((p, i) => {
      const { position, ...spec } = p;
      out.push({ id: p.id, type: 'inputPort', position: at(position, i), data: { spec } });
    });
    (level.outputPorts ?? []).forEach((p, i) => {
      const { position, ...spec } = p;
      out.push({ id: p.id, type: 'outputPort', position: at(position, i), data: { spec } });
    });
  }
  return out;
}

export function flowToCanvas(
  flow: Flow,
  path: readonly string[] = [],
): { meta: FlowMeta; nodes: ProcessorNode[]; edges: QueueEdge[]; others: LevelNode[] } {
  const where = validPath(flow, path);
  const level = levelAt(flow, where)!;
  const nested = where.length > 0;
  const passThrough = passThroughIds(level, nested);
  return {
    meta: nested ? { ...flow, path: where } : { ...flow },
    nodes: (level.processors ?? []).map((p, i) => processorToNode(p, i)),
    edges: (level.connections ?? []).map((c) => connectionToEdge(c, passThrough)),
    others: otherNodes(level, nested),
  };
}

export function nodeToProcessor(node: ProcessorNode): ProcessorSpec {
  return { ...node.data.spec, id: node.id, position: { x: node.position.x, y: node.position.y } };
}

/** The spec a level node stands for, its position included. */
export function levelNodeToSpec(node: LevelNode): GroupSpec | FunnelSpec | LabelSpec | PortSpec {
  return { ...node.data.spec, id: node.id, position: { x: node.position.x, y: node.position.y } } as GroupSpec;
}

export function edgeToConnection(edge: QueueEdge): ConnectionSpec {
  const spec = edge.data?.spec ?? { id: edge.id, relationships: edge.sourceHandle ? [edge.sourceHandle] : [] };
  const source: Endpoint = edge.sourceHandle?.startsWith(OUT_PREFIX)
    ? { group: edge.source, port: edge.sourceHandle.slice(OUT_PREFIX.length) }
    : edge.source;
  const target: Endpoint = edge.targetHandle?.startsWith(IN_PREFIX)
    ? { group: edge.target, port: edge.targetHandle.slice(IN_PREFIX.length) }
    : edge.target;
  return { ...spec, id: edge.id, source, target };
}

/**
 * The flow document with the level at `meta.path` rebuilt from the canvas. Without `others` (a caller that only
 * knows the processors and edges), the level keeps the groups, funnels, labels and ports it had in `meta`.
 */
export function canvasToFlow(
  meta: FlowMeta,
  nodes: readonly ProcessorNode[],
  edges: readonly QueueEdge[],
  others?: readonly LevelNode[],
): Flow {
  const { path = [], ...flow } = meta;
  const old = levelAt(flow as Flow, path) ?? {};
  const level: Record<string, unknown> = { ...old };
  const put = (key: keyof Level, items: unknown[]) => {
    if (items.length > 0 || key in old) level[key] = items;
    else delete level[key];
  };
  put('processors', nodes.map(nodeToProcessor));
  put('connections', edges.map(edgeToConnection));
  if (others) {
    const of = (type: LevelNode['type']) => others.filter((n) => n.type === type).map(levelNodeToSpec);
    put('groups', of('processGroup'));
    put('funnels', of('funnel'));
    put('labels', of('label'));
    if (path.length > 0) {
      put('inputPorts', of('inputPort'));
      put('outputPorts', of('outputPort'));
    }
  }
  return withLevel(flow as Flow, path, level as Level);
}

/** True when every processor of the flow has a saved position (otherwise the canvas lays it out). */
export function hasPositions(flow: Flow): boolean {
  return flow.processors.every((p) => p.position !== undefined);
}

/** `base`, or `base-2`, `base-3`… whichever is not taken; ids keep to the flow schema's alphabet. */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  const clean =
    base
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 56) || 'item';
  if (!taken.has(clean)) return clean;
  for (let n = 2; ; n++) if (!taken.has(`${clean}-${n}`)) return `${clean}-${n}`;
}

/** GenerateFlowFile → generate-flow-file */
export function kebab(type: string): string {
  return type
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}
