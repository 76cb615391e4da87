/**
 * The one node type of the canvas: a NiFi-like card for any processor. It draws an input handle (unless the
 * processor is a source) and one labelled output handle per relationship, the state, FlowFiles in/out over the
 * last five minutes, the busy / backpressured share of its time, and a badge with its latest bulletins. Zoomed
 * out below LOW_DETAIL_ZOOM it is a plain box with the name instead (processor-box.tsx). Each card subscribes
 * to its own figures only (use-card-status.ts): a status tick re-renders the cards whose figures changed.
 */
import { Handle, type NodeProps, Position, useUpdateNodeInternals } from '@xyflow/react';
import { memo, useEffect, useRef } from 'react';
import { globalIdAt, INPUT_HANDLE, type ProcessorNode as ProcessorNodeType } from '../flow-mapping';
import { formatBytes, formatCount } from '../lib/format';
import { formatIssue } from '../lib/issues';
import { useStore } from '../store';
import { useLowDetail } from './detail-level';
import { CATEGORY_GLYPH, displayState, STATE_LABEL } from './node-state';
import { ProcessorBox } from './processor-box';
import { countRender } from './test-hooks';
import { useBulletinLines, useCardStatus } from './use-card-status';
import { useRelationships, useUsedRelationships } from './use-relationships';

/** Cards switched between box and card this tick, measured again together (one React Flow update, not one each). */
const switched = new Set<string>();

function ProcessorNodeView(props: NodeProps<ProcessorNodeType>) {
  const lowDetail = useLowDetail();
  // The box and the card place their handles differently: React Flow measures them again on each switch.
  const updateNodeInternals = useUpdateNodeInternals();
  const shown = useRef(lowDetail);
  useEffect(() => {
    if (shown.current === lowDetail) return;
    shown.current = lowDetail;
    if (switched.size === 0)
      queueMicrotask(() => {
        updateNodeInternals([...switched]);
        switched.clear();
      });
    switched.add(props.id);
  }, [lowDetail, props.id, updateNodeInternals]);
  return lowDetail ? <ProcessorBox {...props} /> : <ProcessorCard {...props} />;
}

function BulletinBadge({ id, count }: { id: string; count: number }) {
  const lines = useBulletinLines(id);
  return (
    <div className="bulletin-badge" data-testid={`proc-bulletins-${id}`}>
      {count}
      <div className="popover">
        <ul>
          {lines.map((line, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: two bulletins may read the same
            <li key={i}>{line}</li>
          ))}
        </ul>
      </div>
    </div>
  );
}

function ProcessorCard({ id, data, selected }: NodeProps<ProcessorNodeType>) {
  countRender(`proc:${id}`);
  const { spec } = data;
  const descriptor = useStore((s) => s.catalog.byType[spec.type]);
  // The status stream and the validator name a processor inside groups by its global id.
  const status = useCardStatus(id);
  const issues = useStore((s) => s.save.issues.processors[globalIdAt(s.path, id)] ?? s.save.issues.processors[id]);
  const usedRelationships = useUsedRelationships(id);
  const relationships = useRelationships(spec);

  const names = new Set(relationships.map((r) => r.name));
  const unknown = [...new Set(usedRelationships)].filter((r) => !names.has(r));
  // React Flow measures handle positions once: when the handles change (a router's relationships arrive from
  // the server, a route is added or renamed), it must measure again, or edges stay drawn from the old spots.
  // (Not on mount: React Flow measures a new node itself, and a second measurement then upsets the initial fit.)
  const updateNodeInternals = useUpdateNodeInternals();
  const handles = [...names, ...unknown].join('\n');
  const measured = useRef(handles);
  useEffect(() => {
    if (measured.current === handles) return;
    measured.current = handles;
    updateNodeInternals(id);
  }, [id, handles, updateNodeInternals]);
  const terminated = new Set(spec.autoTerminate ?? []);
  const state = displayState(status, issues, spec.disabled);
  const category = descriptor?.category ?? 'transform';
  const { busy, blocked } = status;

  return (
    <div
      className={`proc cat-${category}${selected ? ' selected' : ''}${state === 'invalid' ? ' invalid' : ''}`}
      data-testid={`proc-${id}`}
      data-lod="full"
      data-state={state}
    >
      {descriptor?.input !== 'forbidden' && (
        <Handle type="target" position={Position.Top} id={INPUT_HANDLE} data-testid={`handle-${id}-in`} />
      )}
      <div className="proc-head">
        <div className="proc-icon">{CATEGORY_GLYPH[category] ?? '•'}</div>
        <div className="proc-title">
          <div className="proc-name" title={spec.name ?? id}>
            {spec.name ?? id}
          </div>
          <div className="proc-sub">
            <span className="proc-type">{spec.type}</span>
            <span
              className={`state-pill ${state}`}
              data-testid={`proc-state-${id}`}
              title={issues?.map((i) => formatIssue(i)).join('\n') || STATE_LABEL[state]}
            >
              {state === 'running' ? '▶' : state === 'invalid' ? '⚠' : '■'} {STATE_LABEL[state]}
            </span>
          </div>
        </div>
      </div>
      <div className="proc-metrics" title="FlowFiles (and bytes) in and out over the last five minutes">
        <div className="metric">
          <span className="k">In</span>
          <span className="v" data-testid={`proc-in-${id}`}>
            {formatCount(status.in)}
          </span>
          <span className="b">{formatBytes(status.bytesIn)}</span>
        </div>
        <div className="metric">
          <span className="k">Out</span>
          <span className="v" data-testid={`proc-out-${id}`}>
            {formatCount(status.out)}
          </span>
          <span className="b">{formatBytes(status.bytesOut)}</span>
        </div>
        <span className="window">5m</span>
      </div>
      <div
        className="activity"
        data-testid={`proc-activity-${id}`}
        title={`Each second: busy ${busy}%, blocked by backpressure ${blocked}%, idle ${Math.max(0, 100 - busy - blocked)}%`}
      >
        <div className="activity-bar">
          <div className="busy" style={{ width: `${busy}%` }} />
          <div className="blocked" style={{ width: `${blocked}%` }} />
        </div>
        <span>
          busy {busy}%{blocked > 0 && <span className="error-text"> · backpressured {blocked}%</span>}
          {' · '}
          {formatCount(status.tasks)} tasks
          {status.errors > 0 ? <span className="error-text"> · {status.errors} errors</span> : null}
        </span>
      </div>
      <div className="proc-rels">
        {relationships.map((r) => (
          <span
            key={r.name}
            className={`rel${terminated.has(r.name) ? ' terminated' : ''}`}
            title={`${r.description}${terminated.has(r.name) ? ' (auto-terminated)' : ''}`}
          >
            {r.name}
            <Handle type="source" position={Position.Bottom} id={r.name} data-testid={`handle-${id}-${r.name}`} />
          </span>
        ))}
        {unknown.map((name) => (
          <span key={name} className="rel unknown" title="No longer a relationship of this processor">
            {name}
            <Handle type="source" position={Position.Bottom} id={name} isConnectable={false} />
          </span>
        ))}
      </div>
      {status.bulletins > 0 && <BulletinBadge id={id} count={status.bulletins} />}
    </div>
  );
}

export const ProcessorNode = memo(ProcessorNodeView);
