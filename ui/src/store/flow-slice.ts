/**
 * The flow slice: the open flow as React Flow nodes and edges, its committed document, undo/redo and the
 * clipboard. Every edit that changes the document goes through `commit`, which records history and bumps
 * `revision` (what the autosaver watches); selection and in-progress drags do not.
 */
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from '@xyflow/react';
import type { ConnectionSpec, Flow, ProcessorSpec } from '../api/types';
import {
  canvasToFlow,
  connectionToEdge,
  type FlowMeta,
  flowToCanvas,
  kebab,
  type ProcessorNode,
  processorToNode,
  type QueueEdge,
  uniqueId,
} from '../flow-mapping';
import { type IssueIndex, NO_ISSUES } from '../lib/issues';
import { defaultsOf } from '../lib/schema';
import { type Clip, connectRelationship, copySelected, pasteClip, removeSelected } from './edits';
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
  nodes: ProcessorNode[];
  edges: QueueEdge[];
  /** The last committed document (what undo returns to, what is saved). */
  doc: Flow | null;
  history: History;
  revision: number;
  clipboard: Clip | null;
  save: SaveState;

  loadFlow(flow: Flow): void;
  onNodesChange(changes: NodeChange<ProcessorNode>[]): void;
  onEdgesChange(changes: EdgeChange<QueueEdge>[]): void;
  connect(connection: Connection): void;
  addProcessor(type: string, position: { x: number; y: number }): string | undefined;
  updateProcessor(id: string, update: (spec: ProcessorSpec) => ProcessorSpec): void;
  updateConnection(id: string, update: (spec: ConnectionSpec) => ConnectionSpec): void;
  renameFlow(name: string): void;
  deleteSelection(): void;
  copySelection(): boolean;
  paste(offset?: { x: number; y: number }): void;
  undo(): void;
  redo(): void;
  moveNodes(positions: Record<string, { x: number; y: number }>): void;
  select(ids: { nodes?: string[]; edges?: string[] }): void;
  setSave(save: Partial<SaveState>): void;
}

/** Rebuilds the canvas from a document, keeping what React Flow knows about nodes that still exist. */
function canvasFrom(flow: Flow, previous: readonly ProcessorNode[], previousEdges: readonly QueueEdge[]) {
  const { meta, nodes, edges } = flowToCanvas(flow);
  const old = new Map(previous.map((n) => [n.id, n]));
  const oldEdges = new Map(previousEdges.map((e) => [e.id, e]));
  return {
    meta,
    nodes: nodes.map((n) => {
      const o = old.get(n.id);
      return o ? { ...n, selected: o.selected, measured: o.measured, width: o.width, height: o.height } : n;
    }),
    edges: edges.map((e) => ({ ...e, selected: oldEdges.get(e.id)?.selected })),
  };
}

const round = (p: { x: number; y: number }) => ({ x: Math.round(p.x), y: Math.round(p.y) });

export const createFlowSlice: SliceCreator<FlowSlice> = (set, get) => {
  /** Makes the current canvas the new committed document (no-op when nothing changed). */
  const commit = () => {
    const { meta, nodes, edges, doc, history, revision } = get();
    if (!meta || !doc) return;
    const next = canvasToFlow(meta, nodes, edges);
    if (JSON.stringify(next) === JSON.stringify(doc)) return;
    set({ doc: next, history: record(history, doc), revision: revision + 1 });
  };

  const restore = (flow: Flow, history: History) => {
    const { nodes, edges, revision } = get();
    set({ ...canvasFrom(flow, nodes, edges), doc: flow, history, revision: revision + 1 });
  };

  return {
    meta: null,
    nodes: [],
    edges: [],
    doc: null,
    history: EMPTY_HISTORY,
    revision: 0,
    clipboard: null,
    save: { status: 'saved', savedRevision: 0, issues: NO_ISSUES },

    loadFlow(flow) {
      const { meta, nodes, edges } = flowToCanvas(flow);
      set({
        meta,
        nodes,
        edges,
        doc: canvasToFlow(meta, nodes, edges),
        history: EMPTY_HISTORY,
        revision: 0,
        save: { status: 'saved', savedRevision: 0, issues: NO_ISSUES },
      });
    },

    onNodesChange(changes) {
      // Removal goes through deleteSelection (one undo step for nodes and their edges).
      const applicable = changes.filter((c) => c.type !== 'remove');
      if (applicable.length === 0) return;
      set({ nodes: applyNodeChanges(applicable, get().nodes) });
      const dropped = applicable.filter((c) => c.type === 'position' && c.dragging === false);
      if (dropped.length > 0) {
        const ids = new Set(dropped.map((c) => (c as { id: string }).id));
        set({ nodes: get().nodes.map((n) => (ids.has(n.id) ? { ...n, position: round(n.position) } : n)) });
        commit();
      }
    },

    onEdgesChange(changes) {
      const applicable = changes.filter((c) => c.type !== 'remove');
      if (applicable.length > 0) set({ edges: applyEdgeChanges(applicable, get().edges) });
    },

    connect({ source, sourceHandle, target }) {
      if (!source || !target || !sourceHandle) return;
      const edges = connectRelationship(get().edges, { source, relationship: sourceHandle, target });
      if (edges === get().edges) return;
      set({ edges });
      commit();
    },

    addProcessor(type, position) {
      const descriptor = get().catalog.byType[type];
      if (!get().meta || !descriptor) return undefined;
      const id = uniqueId(kebab(type), new Set(get().nodes.map((n) => n.id)));
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
          const spec = update({ ...e.data!.spec, id, source: e.source, target: e.target });
          return { ...connectionToEdge({ ...spec, source: e.source, target: e.target }), selected: e.selected };
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

    deleteSelection() {
      const out = removeSelected(get().nodes, get().edges);
      if (out.removed === 0) return;
      set({ nodes: out.nodes, edges: out.edges });
      commit();
    },

    copySelection() {
      const clip = copySelected(get().nodes, get().edges);
      if (clip) set({ clipboard: clip });
      return clip !== null;
    },

    paste(offset = { x: 40, y: 40 }) {
      const clip = get().clipboard;
      if (!clip || !get().meta) return;
      set(pasteClip(clip, get().nodes, get().edges, offset));
      // A second paste lands further away rather than on top of the first.
      set({
        clipboard: {
          ...clip,
          processors: clip.processors.map((p) => ({
            ...p,
            position: { x: (p.position?.x ?? 0) + offset.x, y: (p.position?.y ?? 0) + offset.y },
          })),
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

    select({ nodes = [], edges = [] }) {
      const n = new Set(nodes);
      const e = new Set(edges);
      set({
        nodes: get().nodes.map((x) => (Boolean(x.selected) === n.has(x.id) ? x : { ...x, selected: n.has(x.id) })),
        edges: get().edges.map((x) => (Boolean(x.selected) === e.has(x.id) ? x : { ...x, selected: e.has(x.id) })),
      });
    },

    setSave(save) {
      set({ save: { ...get().save, ...save } });
    },
  };
};
