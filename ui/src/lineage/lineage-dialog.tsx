/**
 * A FlowFile's lineage as a graph: one node per provenance event, linked in time order per FlowFile and from
 * a FORK / CLONE / JOIN to the children it made (dashed). Click an event for its attributes.
 */
import { Background, Controls, Handle, type NodeProps, Position, ReactFlow, ReactFlowProvider } from '@xyflow/react';
import { memo, useEffect, useMemo, useState } from 'react';
import { api } from '../api/client';
import type { Lineage } from '../api/types';
import { formatBytes, formatTime } from '../lib/format';
import { useStore } from '../store';
import { EventDetail } from './event-detail';
import { type LineageNode, lineageToGraph } from './lineage-mapping';

const EventNode = memo(function EventNode({ data, selected }: NodeProps<LineageNode>) {
  const e = data.event;
  return (
    <div
      className={`lineage-node${data.root ? ' root' : ''}${selected ? ' selected' : ''}`}
      data-testid={`lineage-node-${e.eventId}`}
      data-type={e.type}
      data-flowfile={e.flowFileId}
    >
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <div className="head">
        <span className="type-tag">{e.type}</span>
        <span className="muted time">{formatTime(e.time)}</span>
      </div>
      <div
        style={{ fontWeight: 600, marginTop: 3, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
      >
        {data.componentName}
      </div>
      <div className="ff">
        {e.flowFileId.slice(0, 13)} · {formatBytes(e.contentSize)}
      </div>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
});

const nodeTypes = { event: EventNode };

export function LineageDialog() {
  const flowFileId = useStore((s) => s.lineageOf);
  useEffect(() => {
    if (!flowFileId) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && useStore.getState().showLineage(null);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [flowFileId]);
  if (!flowFileId) return null;
  return (
    <div className="backdrop">
      <div className="dialog wide" role="dialog" aria-modal="true" aria-label="Lineage" data-testid="lineage-dialog">
        <header>
          <h2>
            Lineage of FlowFile <span className="mono">{flowFileId}</span>
          </h2>
          <span className="spacer" />
          <button
            type="button"
            className="btn"
            data-testid="lineage-close"
            onClick={() => useStore.getState().showLineage(null)}
          >
            Close
          </button>
        </header>
        <div className="body" style={{ padding: 0 }}>
          <ReactFlowProvider>
            <LineageView flowFileId={flowFileId} />
          </ReactFlowProvider>
        </div>
      </div>
    </div>
  );
}

function LineageView({ flowFileId }: { flowFileId: string }) {
  const [lineage, setLineage] = useState<Lineage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const nodes = useStore((s) => s.nodes);

  useEffect(() => {
    let cancelled = false;
    api
      .lineage(flowFileId)
      .then((l) => !cancelled && setLineage(l))
      .catch((err: Error) => !cancelled && setError(err.message));
    return () => {
      cancelled = true;
    };
  }, [flowFileId]);

  const graph = useMemo(() => {
    if (!lineage) return null;
    const names = new Map(nodes.map((n) => [n.id, n.data.spec.name ?? n.id]));
    return lineageToGraph(lineage, (id) => names.get(id) ?? id);
  }, [lineage, nodes]);

  if (error)
    return (
      <p className="error-text" style={{ padding: 16 }}>
        {error}
      </p>
    );
  if (!lineage || !graph)
    return (
      <p className="muted" style={{ padding: 16 }}>
        Loading…
      </p>
    );
  const event = lineage.events.find((e) => e.eventId === selected);
  return (
    <div className="lineage-layout">
      <div className="graph" data-testid="lineage-graph">
        <ReactFlow
          nodes={graph.nodes.map((n) => ({ ...n, selected: n.data.event.eventId === selected }))}
          edges={graph.edges}
          nodeTypes={nodeTypes}
          onNodeClick={(_, n) => setSelected((n as LineageNode).data.event.eventId)}
          nodesDraggable={false}
          nodesConnectable={false}
          fitView
          fitViewOptions={{ padding: 0.15, maxZoom: 1.2 }}
          minZoom={0.05}
          proOptions={{ hideAttribution: true }}
        >
          <Background gap={18} size={1} color="var(--dots)" />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
      <div className="detail">
        <p className="muted" style={{ marginTop: 0 }}>
          {lineage.events.length} events · {lineage.flowFileIds.length} FlowFiles
        </p>
        {event ? <EventDetail event={event} /> : <p className="muted">Click an event to see its attributes.</p>}
      </div>
    </div>
  );
}
