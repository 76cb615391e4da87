/**
 * A connection drawn as an edge with its queue on the label: relationships, FlowFiles waiting, bytes, the
 * oldest FlowFile's age and a fill bar against the backpressure thresholds (live from the event stream).
 * FlowFiles set aside in the connection's quarantine show as a marker under it. Clicking the label opens the
 * queue inspector. Zoomed out below LOW_DETAIL_ZOOM there is no label, only the line (red when backpressured).
 */
import { BaseEdge, EdgeLabelRenderer, type EdgeProps, getBezierPath } from '@xyflow/react';
import { memo } from 'react';
import type { QueueEdge as QueueEdgeType } from '../flow-mapping';
import { labelFraction, pointOnConnection, quarantineMarker } from '../lib/edge-label';
import { fillLevel } from '../lib/fill-level';
import { formatBytes, formatCount } from '../lib/format';
import { useStore } from '../store';
import { useLowDetail } from './detail-level';
import { edgeIndex, fanOutKey } from './edge-index';
import { countRender } from './test-hooks';
import { useQueueStatus } from './use-card-status';

/** A connection from a processor to itself loops out to the right. */
function selfLoopPath(sx: number, sy: number, tx: number, ty: number): [string, number, number] {
  const reach = 170;
  return [
    `M ${sx} ${sy} C ${sx + reach} ${sy + 90}, ${tx + reach} ${ty - 90}, ${tx} ${ty}`,
    sx + reach * 0.75,
    (sy + ty) / 2,
  ];
}

function QueueEdgeView(props: EdgeProps<QueueEdgeType>) {
  const { id, source, target, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected } =
    props;
  countRender(`queue:${id}`);
  const status = useQueueStatus(id);
  const lowDetail = useLowDetail();
  const hasIssues = useStore((s) => (s.save.issues.connections[id]?.length ?? 0) > 0);
  // Other processors feeding the same target, other connections leaving the same handle, and connections
  // joining the same two processors.
  const fanIn = useStore((s) => edgeIndex(s.edges).fanIn.get(target) ?? 0);
  const fanOut = useStore((s) => edgeIndex(s.edges).fanOut.get(fanOutKey(source, props.sourceHandleId)) ?? 0);
  const parallelIndex = useStore((s) => edgeIndex(s.edges).parallel.get(id)?.index ?? 0);
  const parallelCount = useStore((s) => edgeIndex(s.edges).parallel.get(id)?.count ?? 1);
  let [path, labelX, labelY] =
    source === target
      ? selfLoopPath(sourceX, sourceY, targetX, targetY)
      : getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  if (source !== target) {
    const t = labelFraction({ fanIn, fanOut, parallel: { index: parallelIndex, count: parallelCount } });
    if (t !== 0.5)
      ({ x: labelX, y: labelY } = pointOnConnection({ x: sourceX, y: sourceY }, { x: targetX, y: targetY }, t));
  }
  const queue = status.known ? status : null;
  const fill = queue ? fillLevel(queue) : null;
  const quarantined = quarantineMarker(queue?.quarantined);

  const inspect = () => {
    const st = useStore.getState();
    st.select({ edges: [id] });
    st.openDrawer({ kind: 'queue', connectionId: id });
  };

  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        style={{
          stroke: hasIssues
            ? 'var(--danger)'
            : fill?.backPressured
              ? 'var(--danger)'
              : selected
                ? 'var(--accent)'
                : undefined,
          strokeWidth: selected ? 2.5 : 1.8,
          // Zoomed out, a line keeps its width on screen rather than thinning to a hairline.
          ...(lowDetail && { vectorEffect: 'non-scaling-stroke' }),
        }}
        markerEnd={props.markerEnd}
      />
      {!lowDetail && (
        <EdgeLabelRenderer>
          <button
            type="button"
            className={`queue-label nodrag nopan${selected ? ' selected' : ''}${fill?.backPressured ? ' bp' : ''}${quarantined ? ' quarantined' : ''}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            data-testid={`queue-${id}`}
            onClick={inspect}
            title={
              quarantined
                ? 'FlowFiles whose sessions kept failing were set aside: click to inspect the queue and its quarantine'
                : 'Click to inspect the queue'
            }
          >
            <span className="line">
              <span className="rels">{data?.spec.relationships.join(', ')}</span>
              <span className="depth">
                <span data-testid={`queue-count-${id}`}>{formatCount(queue?.count ?? 0)}</span>
                {' · '}
                {formatBytes(queue?.bytes ?? 0)}
                {queue?.age ? ` · ${queue.age}` : ''}
              </span>
            </span>
            <span
              className="fill"
              title={
                queue
                  ? `${queue.count} / ${queue.objectThreshold} FlowFiles, ${formatBytes(queue.bytes)} / ${formatBytes(queue.bytesThreshold)}`
                  : 'No status yet'
              }
            >
              <span className={fill?.tone ?? 'ok'} style={{ width: `${(fill?.ratio ?? 0) * 100}%` }} />
            </span>
            {fill?.backPressured && (
              <span className="bp-tag" data-testid={`queue-bp-${id}`}>
                backpressured
              </span>
            )}
            {quarantined && (
              <span className="quarantine-tag" data-testid={`queue-quarantine-${id}`}>
                {quarantined}
              </span>
            )}
          </button>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const QueueEdge = memo(QueueEdgeView);
