/**
 * The one node type of the canvas: a NiFi-like card for any processor. It draws an input handle (unless the
 * processor is a source) and one labelled output handle per relationship, the state, FlowFiles in/out over the
 * last five minutes, the busy / backpressured share of its time, and a badge with its latest bulletins.
 */
import { Handle, type NodeProps, Position, useUpdateNodeInternals } from '@xyflow/react';
import { memo, useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { globalIdAt, INPUT_HANDLE, type ProcessorNode as ProcessorNodeType } from '../flow-mapping';
import { formatBytes, formatCount } from '../lib/format';
import { formatIssue } from '../lib/issues';
import { useStore } from '../store';
import { CATEGORY_GLYPH, displayState, STATE_LABEL } from './node-state';
import { useRelationships } from './use-relationships';

function ProcessorNodeView({ id, data, selected }: NodeProps<ProcessorNodeType>) {
  const { spec } = data;
  const descriptor = useStore((s) => s.catalog.byType[spec.type]);
  // The status stream and the validator name a processor inside groups by its global id.
  const status = useStore((s) => s.status?.processors[globalIdAt(s.path, id)]);
  const issues = useStore((s) => s.save.issues.processors[globalIdAt(s.path, id)] ?? s.save.issues.processors[id]);
  const usedRelationships = useStore(
    useShallow((s) => s.edges.filter((e) => e.source === id).flatMap((e) => e.data?.spec.relationships ?? [])),
  );
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
  const recent = status?.lastFiveMinutes;
  const busy = status ? status.busyMsPerSecond / 10 : 0;
  const blocked = status ? status.backPressuredMsPerSecond / 10 : 0;
  const bulletins = status?.bulletins ?? [];

  return (
    <div
      className={`proc cat-${category}${selected ? ' selected' : ''}${state === 'invalid' ? ' invalid' : ''}`}
      data-testid={`proc-${id}`}
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
            {formatCount(recent?.in ?? 0)}
          </span>
          <span className="b">{formatBytes(recent?.bytesIn ?? 0)}</span>
        </div>
        <div className="metric">
          <span className="k">Out</span>
          <span className="v" data-testid={`proc-out-${id}`}>
            {formatCount(recent?.out ?? 0)}
          </span>
          <span className="b">{formatBytes(recent?.bytesOut ?? 0)}</span>
        </div>
        <span className="window">5m</span>
      </div>
      <div
        className="activity"
        data-testid={`proc-activity-${id}`}
        title={`Each second: busy ${Math.round(busy)}%, blocked by backpressure ${Math.round(blocked)}%, idle ${Math.round(100 - busy - blocked)}%`}
      >
        <div className="activity-bar">
          <div className="busy" style={{ width: `${busy}%` }} />
          <div className="blocked" style={{ width: `${blocked}%` }} />
        </div>
        <span>
          busy {Math.round(busy)}%
          {blocked > 0 && <span className="error-text"> · backpressured {Math.round(blocked)}%</span>}
          {' · '}
          {formatCount(status?.tasks ?? 0)} tasks
          {status && status.errors > 0 ? <span className="error-text"> · {status.errors} errors</span> : null}
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
      {bulletins.length > 0 && (
        <div className="bulletin-badge" data-testid={`proc-bulletins-${id}`}>
          {bulletins.length}
          <div className="popover">
            <ul>
              {bulletins.slice(-5).map((b) => (
                <li key={`${b.time}-${b.message}`}>
                  {new Date(b.time).toLocaleTimeString()} {b.level}: {b.message}
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
    </div>
  );
}

export const ProcessorNode = memo(ProcessorNodeView);
