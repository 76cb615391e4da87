/**
 * The canvas: React Flow over the store's nodes and edges. Drop a palette item to add a processor where it
 * lands, drag from a relationship handle to a processor to connect, drop a .json file to import a flow.
 */
import {
  type Connection,
  Controls,
  type Edge,
  type OnConnectEnd,
  Panel,
  ReactFlow,
  useReactFlow,
  type Viewport,
} from '@xyflow/react';
import { type DragEvent, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { type CanvasNode, INPUT_HANDLE, type QueueEdge as QueueEdgeType } from '../flow-mapping';
import { useStore } from '../store';
import { importFlowFile, NODE_WIDTH } from '../store/session';
import { useCan } from '../store/use-can';
import { layoutLevel } from './auto-layout';
import { Breadcrumbs } from './breadcrumbs';
import { CanvasBackground, CanvasMinimap } from './canvas-chrome';
import { levelViewport, minimapCoversLevel, useCanvasNodes } from './canvas-nodes';
import { useZoomVariable, VIRTUALIZE_ABOVE } from './detail-level';
import { DiffOverlay } from './diff-overlay';
import { FunnelNode, GroupNode, InputPortNode, LabelNode, OutputPortNode } from './group-node';
import { ProcessorNode } from './processor-node';
import { QueueEdge } from './queue-edge';
import { testHooks } from './test-hooks';
import { useShortcuts } from './use-shortcuts';

/** The MIME type a palette item carries while dragged. */
export const PROCESSOR_DRAG_TYPE = 'application/x-sluice-processor';
/** The MIME type of a dragged funnel or label palette item ("funnel" / "label"). */
export const SHAPE_DRAG_TYPE = 'application/x-sluice-shape';

const nodeTypes = {
  processor: ProcessorNode,
  processGroup: GroupNode,
  funnel: FunnelNode,
  label: LabelNode,
  inputPort: InputPortNode,
  outputPort: OutputPortNode,
};
const edgeTypes = { queue: QueueEdge };
function hasFiles(e: DragEvent): boolean {
  return [...e.dataTransfer.types].includes('Files');
}

export function FlowCanvas() {
  const flowId = useStore((s) => s.meta?.id);
  if (!flowId) {
    return (
      <div className="empty-canvas">
        <div>
          <strong>No flow open</strong>
          Create a flow or import one from the top bar.
        </div>
      </div>
    );
  }
  return <CanvasView key={flowId} />;
}

/** The canvas of one flow (remounted per flow, so the view fits each flow once as it opens). */
function CanvasView() {
  const nodes = useCanvasNodes();
  const path = useStore((s) => s.path);
  const canGroup = useStore((s) => s.nodes.some((n) => n.selected));
  const ungroupable = useStore((s) => s.others.find((n) => n.selected && n.type === 'processGroup')?.id);
  const edges = useStore((s) => s.edges);
  const onNodesChange = useStore((s) => s.onNodesChange);
  const onEdgesChange = useStore((s) => s.onEdgesChange);
  const connect = useStore((s) => s.connect);
  const canUndo = useStore((s) => s.history.past.length > 0);
  const canRedo = useStore((s) => s.history.future.length > 0);
  // With a drawer open the canvas is short: the minimap would cover the processors.
  const drawerOpen = useStore((s) => s.drawer !== null);
  const { screenToFlowPosition, getViewport, setViewport, getInternalNode } = useReactFlow();
  useEffect(() => {
    const hooks = testHooks();
    if (!hooks) return;
    hooks.viewport = { get: getViewport, set: (v) => void setViewport(v) };
    return () => {
      hooks.viewport = undefined;
    };
  }, [getViewport, setViewport]);
  const [fileOver, setFileOver] = useState(false);
  // The first view is worked out from the pane's size before React Flow draws anything, so no card is drawn
  // for a view that is then changed. A flow with processors opens as initial-view.ts says; an empty flow keeps
  // the default view, so the first processor dropped stays where it was dropped.
  const area = useRef<HTMLDivElement>(null);
  useZoomVariable(area);
  const [openView, setOpenView] = useState<Viewport | null>(null);
  // The minimap folds away (a button opens it) when it would cover part of the flow as it opens.
  const [mapOpen, setMapOpen] = useState(true);
  useLayoutEffect(() => {
    const st = useStore.getState();
    const pane = area.current;
    if (!pane) return;
    const size = { width: pane.clientWidth, height: pane.clientHeight };
    const view = st.nodes.length + st.others.length === 0 ? { x: 0, y: 0, zoom: 1 } : levelViewport(size);
    setOpenView(view);
    setMapOpen(!minimapCoversLevel(view, size));
  }, []);
  const refit = (duration = 200) =>
    requestAnimationFrame(() => {
      const pane = area.current;
      if (pane) void setViewport(levelViewport({ width: pane.clientWidth, height: pane.clientHeight }), { duration });
    });
  // Only an admin edits: other roles look, select and lay out (for themselves; nothing is saved).
  const canEdit = useCan('admin');
  useShortcuts(canEdit);

  const isValidConnection = useCallback((c: Connection | Edge) => {
    const st = useStore.getState();
    const other = st.others.find((n) => n.id === c.target);
    if (other) {
      if (other.type === 'processGroup') return Boolean(c.targetHandle?.startsWith('@in:'));
      return (other.type === 'funnel' || other.type === 'outputPort') && c.targetHandle === INPUT_HANDLE;
    }
    const target = st.nodes.find((n) => n.id === c.target);
    if (!target || c.targetHandle !== INPUT_HANDLE) return false;
    return st.catalog.byType[target.data.spec.type]?.input !== 'forbidden';
  }, []);

  // Dropping a relationship's drag on a processor's body (not just on its input handle) connects it too.
  const onConnectEnd: OnConnectEnd = useCallback(
    (event, state) => {
      if (state.isValid || !state.fromNode || state.fromHandle?.type !== 'source' || !state.fromHandle.id) return;
      const point = 'changedTouches' in event ? event.changedTouches[0] : event;
      if (!point) return;
      const target = document
        .elementFromPoint(point.clientX, point.clientY)
        ?.closest('.react-flow__node')
        ?.getAttribute('data-id');
      const connection = {
        source: state.fromNode.id,
        sourceHandle: state.fromHandle.id,
        target: target ?? '',
        targetHandle: INPUT_HANDLE,
      };
      // Not onto its own card: a short drag that ends where it began is no loop (drop on the input handle for one).
      if (target && target !== connection.source && isValidConnection(connection)) connect(connection);
    },
    [connect, isValidConnection],
  );

  const onDragOver = (e: DragEvent) => {
    if (!canEdit) return;
    const types = [...e.dataTransfer.types];
    if (!types.includes(PROCESSOR_DRAG_TYPE) && !types.includes(SHAPE_DRAG_TYPE) && !types.includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    if (hasFiles(e) !== fileOver) setFileOver(hasFiles(e));
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    if (!canEdit) return;
    setFileOver(false);
    const shape = e.dataTransfer.getData(SHAPE_DRAG_TYPE);
    if (shape) {
      const at = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      if (shape === 'funnel') useStore.getState().addFunnel({ x: at.x - 20, y: at.y - 20 });
      else useStore.getState().addLabel({ x: at.x - 110, y: at.y - 40 });
      return;
    }
    const type = e.dataTransfer.getData(PROCESSOR_DRAG_TYPE);
    if (type) {
      const at = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      useStore.getState().addProcessor(type, { x: at.x - NODE_WIDTH / 2, y: at.y - 30 });
      return;
    }
    const file = [...e.dataTransfer.files].find((f) => f.name.endsWith('.json') || f.type === 'application/json');
    if (file) void importFlowFile(file);
    else if (e.dataTransfer.files.length > 0)
      useStore.getState().notify('Only a flow .json file can be dropped here.', 'error');
  };

  return (
    <div className={`canvas-area${fileOver ? ' drop-target' : ''}`} data-testid="canvas" ref={area}>
      <svg style={{ position: 'absolute', width: 0, height: 0 }} aria-hidden="true">
        <defs>
          <marker
            id="sluice-arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" style={{ fill: 'var(--edge)' }} />
          </marker>
        </defs>
      </svg>
      {openView && (
        <ReactFlow<CanvasNode, QueueEdgeType>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={connect}
          onNodeDoubleClick={(_e, node) => {
            if (node.type !== 'processGroup') return;
            useStore.getState().enterGroup(node.id);
            refit();
          }}
          zoomOnDoubleClick={false}
          nodesDraggable={canEdit}
          nodesConnectable={canEdit}
          onConnectEnd={onConnectEnd}
          isValidConnection={isValidConnection}
          onDragOver={onDragOver}
          onDrop={onDrop}
          onDragLeave={(e) => {
            if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFileOver(false);
          }}
          deleteKeyCode={null}
          defaultEdgeOptions={{ markerEnd: 'url(#sluice-arrow)' }}
          defaultViewport={openView}
          onlyRenderVisibleElements={nodes.length > VIRTUALIZE_ABOVE}
          minZoom={0.1}
          maxZoom={2}
          proOptions={{ hideAttribution: true }}
        >
          <CanvasBackground />
          <DiffOverlay />
          <Controls showInteractive={false} />
          {!drawerOpen && <CanvasMinimap open={mapOpen} onToggle={() => setMapOpen(!mapOpen)} />}
          <Panel position="top-left" className="canvas-toolbar">
            <button
              type="button"
              className="btn small"
              onClick={() => useStore.getState().undo()}
              hidden={!canEdit}
              disabled={!canUndo}
              title="Undo (Ctrl+Z)"
              data-testid="undo"
            >
              ↶ Undo
            </button>
            <button
              type="button"
              className="btn small"
              onClick={() => useStore.getState().redo()}
              hidden={!canEdit}
              disabled={!canRedo}
              title="Redo (Ctrl+Shift+Z)"
              data-testid="redo"
            >
              ↷ Redo
            </button>
            <button
              type="button"
              className="btn small"
              data-testid="auto-layout"
              onClick={() => {
                layoutLevel(getInternalNode);
                refit(300);
              }}
              disabled={nodes.length === 0}
              title="Lay the flow out top to bottom"
            >
              ⇅ Auto-layout
            </button>
            <button
              type="button"
              className="btn small"
              data-testid="group-selection"
              hidden={!canEdit}
              disabled={!canGroup}
              onClick={() => useStore.getState().groupSelection()}
              title="Move the selected processors into a new group (Ctrl+G)"
            >
              ▣ Group
            </button>
            <button
              type="button"
              className="btn small"
              data-testid="ungroup"
              hidden={!canEdit}
              disabled={!ungroupable}
              onClick={() => ungroupable && useStore.getState().ungroup(ungroupable)}
              title="Move the selected group's content out to this level (Ctrl+Shift+G)"
            >
              ⊟ Ungroup
            </button>
          </Panel>
          <Panel position="bottom-center">
            <Breadcrumbs key={path.join('/')} />
          </Panel>
          {nodes.length === 0 && (
            <Panel position="top-center">
              <div className="empty-canvas" style={{ position: 'static', marginTop: 120 }}>
                <div>
                  <strong>This flow is empty</strong>
                  Drag a processor from the palette, or drop a flow .json file here.
                </div>
              </div>
            </Panel>
          )}
        </ReactFlow>
      )}
    </div>
  );
}
