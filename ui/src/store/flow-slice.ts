/**
 * The flow slice: the open flow as React Flow nodes and edges, its committed document, undo/redo and the
 * clipboard. Every edit that changes the document goes through `commit`, which records history and bumps
 * `revision` (what the autosaver watches); selection and in-progress drags do not.
 */
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from '@xyflow/react';
import type { LabelSpec } from '../../../flows/flow-schema';
import type { ConnectionSpec, Flow, ProcessorSpec } from '../api/types';
import {
  canvasToFlow,
  connectionToEdge,
  edgeToConnection,
  type FlowMeta,
  flowToCanvas,
  kebab,
  type LevelNode,
  levelAt,
  PASS_HANDLE,
  PASS_RELATIONSHIP,
  type ProcessorNode,
  passThroughIds,
  processorToNode,
  type QueueEdge,
  uniqueId,
  withLevel,
} from '../flow-mapping';
import { type IssueIndex, NO_ISSUES } from '../lib/issues';
import { defaultsOf } from '../lib/schema';
import {
  type Clip,
  connectRelationship,
  copySelected,
  groupProcessors,
  idsOf,
  importIntoLevel,
  pasteClip,
  removeSelected,
  ungroupGroup,
} from './edits';
import { EMPTY_HISTORY, type History, record, redo, undo } from './history';
import type { SliceCreator } from './types';

export type SaveStatus = 'saved' | 'pending' | 'saving' | 'invalid' | 'error';

export interface SaveState {
  status: SaveStatus;
  /** Why the last save failed (status "error"). */
  message?: string;
  /** The revision the server holds. */
  savedRevision: number;
  /** The server's validation issues for the current document (status "invalid"). */
  issues: IssueIndex;
}

export interface FlowSlice {
  meta: FlowMeta | null;
  /** The processors of the level shown. */
  nodes: ProcessorNode[];
  /** The connections of the level shown (to and from group ports too). */
  edges: QueueEdge[];
  /** The level's groups, funnels, labels and (inside a group) ports. */
  others: LevelNode[];
  /** The level shown: ids of the groups entered, outermost first ([] = the flow itself). */
  path: string[];
  /** The last committed document (what undo returns to, what is saved). */
  doc: Flow | null;
  history: History;
  revision: number;
  clipboard: Clip | null;
  save: SaveState;

  loadFlow(flow: Flow): void;
  onNodesChange(changes: NodeChange<ProcessorNode | LevelNode>[]): void;
  /** Shows the level of group `id` (a child group of the level shown). */
  enterGroup(id: string): void;
  /** Shows the level `depth` groups deep along the current path (0 = the flow). */
  goToLevel(depth: number): void;
  addFunnel(position: { x: number; y: number }): string | undefined;
  addLabel(position: { x: number; y: number }, text?: string): string | undefined;
  /** Moves the selected processors into a new group; returns its id. */
  groupSelection(): string | undefined;
  /** Moves the content of group `id` (without groups of its own) out to the level. */
  ungroup(id: string): boolean;
  /** Changes label `id`'s text, colour or size (and position: resizing from the top or left moves it). */
  updateLabel(id: string, patch: Partial<Omit<LabelSpec, 'id'>>): void;
  /** Adds a flow file's content at the level shown as one new group (see importIntoLevel); returns its id. */
  importIntoThisLevel(file: Flow): string | undefined;
  onEdgesChange(changes: EdgeChange<QueueEdge>[]): void;
  connect(connection: Connection): void;
  addProcessor(type: string, position: { x: number; y: number }): string | undefined;
  updateProcessor(id: string, update: (spec: ProcessorSpec) => ProcessorSpec): void;
  updateConnection(id: string, update: (spec: ConnectionSpec) => ConnectionSpec): void;
  renameFlow(name: string): void;
  /**
   * A change of the whole document (parameter contexts, bindings, services of any level) as one committed edit;
   * the level shown is rebuilt from the result, keeping its selection.
   */
  updateFlow(update: (flow: Flow) => Flow): void;
  /**
   * Applies a change the server already holds to the document and every undo step, without a new revision: the
   * sensitive values it now keeps (the document keeps `set`), a service enabled or disabled by its own endpoint.
   */
  patchSaved(patch: (flow: Flow) => Flow): void;
  deleteSelection(): void;
  copySelection(): boolean;
  paste(offset?: { x: number; y: number }): void;
  undo(): void;
  redo(): void;
  moveNodes(positions: Record<string, { x: number; y: number }>): void;
  select(ids: { nodes?: string[]; edges?: string[] }): void;
  setSave(save: Partial<SaveState>): void;
}

/** Rebuilds the canvas of level `path` from a document, keeping what React Flow knows about nodes that still exist. */
function canvasFrom(
  flow: Flow,
  path: readonly string[],
  previous: readonly ProcessorNode[],
  previousEdges: readonly QueueEdge[],
  previousOthers: readonly LevelNode[],
) {
  const { meta, nodes, edges, others } = flowToCanvas(flow, path);
  const keep = <N extends ProcessorNode | LevelNode>(list: N[], before: readonly N[]): N[] => {
    const old = new Map(before.map((n) => [n.id, n]));
    return list.map((n) => {
      const o = old.get(n.id);
      return o && o.type === n.type
        ? { ...n, selected: o.selected, measured: o.measured, width: o.width, height: o.height }
        : n;
    });
  };
  const oldEdges = new Map(previousEdges.map((e) => [e.id, e]));
  return {
    meta,
    path: meta.path ?? [],
    nodes: keep(nodes, previous),
    others: keep(others, previousOthers),
    edges: edges.map((e) => ({ ...e, selected: oldEdges.get(e.id)?.selected })),
  };
}

const round = (p: { x: number; y: number }) => ({ x: Math.round(p.x), y: Math.round(p.y) });

export const createFlowSlice: SliceCreator<FlowSlice> = (set, get) => {
  /** Makes the current canvas the new committed document (no-op when nothing changed). */
  const commit = () => {
    const { meta, nodes, edges, others, path, doc, history, revision } = get();
    if (!meta || !doc) return;
    const next = canvasToFlow(meta, nodes, edges, others);
    if (JSON.stringify(next) === JSON.stringify(doc)) return;
    set({
      doc: next,
      meta: path.length > 0 ? { ...next, path } : next,
      history: record(history, doc),
      revision: revision + 1,
    });
  };

  const restore = (flow: Flow, history: History) => {
    const { nodes, edges, others, path, revision } = get();
    set({ ...canvasFrom(flow, path, nodes, edges, others), doc: flow, history, revision: revision + 1 });
  };

  /** Shows another level of the committed document (what is selected there is not kept). */
  const show = (path: readonly string[]) => {
    const doc = get().doc;
    if (!doc) return;
    const { meta, nodes, edges, others } = flowToCanvas(doc, path);
    set({ meta, nodes, edges, others, path: meta.path ?? [] });
  };

  /** Replaces the level shown by `level` as one committed edit, selecting `select`. */
  const replaceLevel = (
    update: (level: NonNullable<ReturnType<typeof levelAt>>) => ReturnType<typeof levelAt> | null,
    select: string[] = [],
  ) => {
    const { meta, nodes, edges, others, path } = get();
    if (!meta) return false;
    const current = canvasToFlow(meta, nodes, edges, others);
    const level = levelAt(current, path);
    const updated = level && update(level);
    if (!updated) return false;
    const next = withLevel(current, path, updated);
    const built = canvasFrom(next, path, nodes, edges, others);
    const chosen = new Set(select);
    set({
      ...built,
      nodes: built.nodes.map((n) => ({ ...n, selected: chosen.has(n.id) })),
      others: built.others.map((n) => ({ ...n, selected: chosen.has(n.id) })),
      edges: built.edges.map((e) => ({ ...e, selected: false })),
    });
    commit();
    return true;
  };

  const passThrough = () => passThroughIds(levelAt(get().doc!, get().path) ?? {}, get().path.length > 0);

  /** Adds one level node (funnel or label) at the level shown, selected. */
  const addOther = (node: LevelNode) => {
    set({
      nodes: get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
      others: [...get().others.map((n) => (n.selected ? { ...n, selected: false } : n)), { ...node, selected: true }],
      edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
    });
    commit();
    return node.id;
  };

  const takenIds = () =>
    new Set([...get().nodes.map((n) => n.id), ...get().others.map((n) => n.id), ...get().edges.map((e) => e.id)]);

  return {
    meta: null,
    nodes: [],
    edges: [],
    others: [],
    path: [],
    doc: null,
    history: EMPTY_HISTORY,
    revision: 0,
    clipboard: null,
    save: { status: 'saved', savedRevision: 0, issues: NO_ISSUES },

    loadFlow(flow) {
      const { meta, nodes, edges, others } = flowToCanvas(flow);
      set({
        meta,
        nodes,
        edges,
        others,
        path: [],
        doc: canvasToFlow(meta, nodes, edges, others),
        history: EMPTY_HISTORY,
        revision: 0,
        save: { status: 'saved', savedRevision: 0, issues: NO_ISSUES },
      });
    },

    onNodesChange(changes) {
      // Removal goes through deleteSelection (one undo step for nodes and their edges).
      const applicable = changes.filter((c) => c.type !== 'remove');
      if (applicable.length === 0) return;
      set({
        nodes: applyNodeChanges(applicable as NodeChange<ProcessorNode>[], get().nodes),
        others: applyNodeChanges(applicable as NodeChange<LevelNode>[], get().others),
      });
      const dropped = applicable.filter((c) => c.type === 'position' && c.dragging === false);
      if (dropped.length > 0) {
        const ids = new Set(dropped.map((c) => (c as { id: string }).id));
        set({
          nodes: get().nodes.map((n) => (ids.has(n.id) ? { ...n, position: round(n.position) } : n)),
          others: get().others.map((n) => (ids.has(n.id) ? { ...n, position: round(n.position) } : n)),
        });
        commit();
      }
    },

    onEdgesChange(changes) {
      const applicable = changes.filter((c) => c.type !== 'remove');
      if (applicable.length > 0) set({ edges: applyEdgeChanges(applicable, get().edges) });
    },

    connect({ source, sourceHandle, target, targetHandle }) {
      if (!source || !target || !sourceHandle) return;
      const fromGroup = sourceHandle.startsWith('@out:');
      const pass = fromGroup || sourceHandle === PASS_HANDLE;
      const link = {
        source: fromGroup ? { group: source, port: sourceHandle.slice('@out:'.length) } : source,
        relationship: pass ? PASS_RELATIONSHIP : sourceHandle,
        target: targetHandle?.startsWith('@in:') ? { group: target, port: targetHandle.slice('@in:'.length) } : target,
      };
      const edges = connectRelationship(get().edges, link, passThrough());
      if (edges === get().edges) return;
      set({ edges });
      commit();
    },

    addProcessor(type, position) {
      const descriptor = get().catalog.byType[type];
      if (!get().meta || !descriptor) return undefined;
      const id = uniqueId(kebab(type), takenIds());
      const spec: ProcessorSpec = {
        id,
        type,
        name: type,
        position: round(position),
        config: defaultsOf(descriptor.config),
      };
      set({
        nodes: [
          ...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
          {
            ...processorToNode(spec),
            selected: true,
          },
        ],
        edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
      });
      commit();
      return id;
    },

    updateProcessor(id, update) {
      set({
        nodes: get().nodes.map((n) => {
          if (n.id !== id) return n;
          const { position: _position, ...spec } = update({ ...n.data.spec, id, position: n.position });
          return { ...n, data: { spec } };
        }),
      });
      commit();
    },

    updateConnection(id, update) {
      set({
        edges: get().edges.map((e) => {
          if (e.id !== id) return e;
          const old = edgeToConnection(e);
          const spec = update(old);
          return {
            ...connectionToEdge({ ...spec, source: old.source, target: old.target }, passThrough()),
            selected: e.selected,
          };
        }),
      });
      commit();
    },

    renameFlow(name) {
      const meta = get().meta;
      if (!meta || meta.name === name) return;
      set({ meta: { ...meta, name } });
      commit();
    },

    updateFlow(update) {
      const { meta, nodes, edges, others, path } = get();
      if (!meta) return;
      const next = update(canvasToFlow(meta, nodes, edges, others));
      set(canvasFrom(next, path, nodes, edges, others));
      commit();
    },

    patchSaved(patch) {
      const { doc, meta, history, nodes, edges, others, path } = get();
      if (!doc || !meta) return;
      const patched = patch(doc);
      const past = history.past.map(patch);
      const future = history.future.map(patch);
      const same =
        patched === doc &&
        past.every((f, i) => f === history.past[i]) &&
        future.every((f, i) => f === history.future[i]);
      if (same) return;
      // The canvas too: a group card of the level shown carries its spec (and the next commit reads it).
      set({ ...canvasFrom(patched, path, nodes, edges, others), doc: patched, history: { past, future } });
    },

    deleteSelection() {
      const out = removeSelected(get().nodes, get().edges, get().others);
      if (out.removed === 0) return;
      set({ nodes: out.nodes, edges: out.edges, others: out.others });
      commit();
    },

    copySelection() {
      const clip = copySelected(get().nodes, get().edges, get().others);
      if (clip) set({ clipboard: clip });
      return clip !== null;
    },

    paste(offset = { x: 40, y: 40 }) {
      const clip = get().clipboard;
      if (!clip || !get().meta) return;
      set(pasteClip(clip, get().nodes, get().edges, offset, get().others));
      // A second paste lands further away rather than on top of the first.
      set({
        clipboard: {
          ...clip,
          processors: clip.processors.map((p) => ({
            ...p,
            position: { x: (p.position?.x ?? 0) + offset.x, y: (p.position?.y ?? 0) + offset.y },
          })),
          ...(clip.groups && {
            groups: clip.groups.map((g) => ({
              ...g,
              position: { x: (g.position?.x ?? 0) + offset.x, y: (g.position?.y ?? 0) + offset.y },
            })),
          }),
        },
      });
      commit();
    },

    undo() {
      const { doc, history } = get();
      const step = doc && undo(history, doc);
      if (step) restore(step.flow, step.history);
    },

    redo() {
      const { doc, history } = get();
      const step = doc && redo(history, doc);
      if (step) restore(step.flow, step.history);
    },

    moveNodes(positions) {
      set({ nodes: get().nodes.map((n) => (positions[n.id] ? { ...n, position: round(positions[n.id]!) } : n)) });
      commit();
    },

    enterGroup(id) {
      const { path, others } = get();
      if (others.some((n) => n.id === id && n.type === 'processGroup')) show([...path, id]);
    },

    goToLevel(depth) {
      const path = get().path;
      if (depth >= 0 && depth < path.length) show(path.slice(0, depth));
    },

    addFunnel(position) {
      if (!get().meta) return undefined;
      const id = uniqueId('funnel', takenIds());
      return addOther({ id, type: 'funnel', position: round(position), data: { spec: { id } } });
    },

    addLabel(position, text = 'Note') {
      if (!get().meta) return undefined;
      const id = uniqueId('label', takenIds());
      return addOther({
        id,
        type: 'label',
        position: round(position),
        data: { spec: { id, text, size: { width: 220, height: 80 }, color: '#fde68a' } },
        zIndex: -1,
      });
    },

    groupSelection() {
      const ids = get()
        .nodes.filter((n) => n.selected)
        .map((n) => n.id);
      let groupId: string | undefined;
      replaceLevel((level) => {
        const out = groupProcessors(level, ids);
        groupId = out?.groupId;
        return out?.level ?? null;
      });
      if (groupId) {
        const id = groupId;
        set({ others: get().others.map((n) => ({ ...n, selected: n.id === id })) });
      }
      return groupId;
    },

    ungroup(id) {
      const before = idsOf(levelAt(get().doc!, get().path) ?? {});
      let moved: string[] = [];
      const done = replaceLevel((level) => {
        const out = ungroupGroup(level, id);
        if (out) moved = (out.processors ?? []).map((p) => p.id).filter((p) => !before.has(p));
        return out;
      });
      if (done) set({ nodes: get().nodes.map((n) => ({ ...n, selected: moved.includes(n.id) })) });
      return done;
    },

    updateLabel(id, patch) {
      const { position, ...spec } = patch;
      set({
        others: get().others.map((n) =>
          n.id === id && n.type === 'label'
            ? {
                ...n,
                ...(position && { position: round(position) }),
                data: { spec: { ...n.data.spec, ...spec } },
              }
            : n,
        ),
      });
      commit();
    },

    importIntoThisLevel(file) {
      const level = get().doc && levelAt(get().doc!, get().path);
      if (!level) return undefined;
      // Right of everything at the level, so that it lands in view of nothing it covers.
      const xs = [...get().nodes, ...get().others].map((n) => n.position.x + (n.width ?? n.measured?.width ?? 270));
      const position = { x: Math.round(Math.max(0, ...xs) + 80), y: 0 };
      let groupId: string | undefined;
      replaceLevel((l) => {
        const out = importIntoLevel(l, file, position);
        groupId = out.groupId;
        return out.level;
      });
      if (groupId) {
        const id = groupId;
        set({ others: get().others.map((n) => ({ ...n, selected: n.id === id })) });
      }
      return groupId;
    },

    select({ nodes = [], edges = [] }) {
      const n = new Set(nodes);
      const e = new Set(edges);
      set({
        nodes: get().nodes.map((x) => (Boolean(x.selected) === n.has(x.id) ? x : { ...x, selected: n.has(x.id) })),
        others: get().others.map((x) => (Boolean(x.selected) === n.has(x.id) ? x : { ...x, selected: n.has(x.id) })),
        edges: get().edges.map((x) => (Boolean(x.selected) === e.has(x.id) ? x : { ...x, selected: e.has(x.id) })),
      });
    },

    setSave(save) {
      set({ save: { ...get().save, ...save } });
    },
  };
};
