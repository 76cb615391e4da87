/**
 * The columns of the Summary's two tables: processors (where, what, state, FlowFiles and bytes in and out over
 * five minutes, tasks, the share of time busy and blocked by backpressure, errors and bulletins) and connections
 * (where, source → target, relationships, what is queued, how full, since when).
 */
import type { ConnectionRow, ProcessorRow } from '../api/types';
import { formatAge, formatBytes, formatCount } from '../lib/format';
import type { Column } from './data-table';

const where = (row: { groupNames: string[] }) => row.groupNames.join(' › ');
const percent = (msPerSecond: number) => `${Math.round(msPerSecond / 10)}%`;

function Where({ row }: { row: { flowName: string; groupNames: string[] } }) {
  return (
    <>
      <span className="flow-cell">{row.flowName}</span>
      {row.groupNames.length > 0 && <span className="muted group-cell"> › {where(row)}</span>}
    </>
  );
}

function InOut({ count, bytes }: { count: number; bytes: number }) {
  return (
    <>
      {formatCount(count)} <span className="muted">({formatBytes(bytes)})</span>
    </>
  );
}

export const PROCESSOR_COLUMNS: Column<ProcessorRow>[] = [
  { key: 'flow', label: 'Flow › Group', sort: (r) => `${r.flowName} › ${where(r)}`, cell: (r) => <Where row={r} /> },
  { key: 'name', label: 'Name', sort: (r) => r.name, cell: (r) => <span className="name-cell">{r.name}</span> },
  { key: 'type', label: 'Type', sort: (r) => r.type, cell: (r) => r.type },
  {
    key: 'state',
    label: 'State',
    sort: (r) => r.state,
    cell: (r) => <span className={`state-pill ${r.state}`}>{r.state}</span>,
  },
  {
    key: 'in',
    label: 'In (5 min)',
    numeric: true,
    sort: (r) => r.lastFiveMinutes.in,
    cell: (r) => <InOut count={r.lastFiveMinutes.in} bytes={r.lastFiveMinutes.bytesIn} />,
  },
  {
    key: 'out',
    label: 'Out (5 min)',
    numeric: true,
    sort: (r) => r.lastFiveMinutes.out,
    cell: (r) => <InOut count={r.lastFiveMinutes.out} bytes={r.lastFiveMinutes.bytesOut} />,
  },
  { key: 'tasks', label: 'Tasks', numeric: true, sort: (r) => r.activeTasks, cell: (r) => r.activeTasks },
  {
    key: 'busy',
    label: 'Busy',
    numeric: true,
    title: 'Share of the last second its tasks spent in onTrigger',
    sort: (r) => r.busyMsPerSecond,
    cell: (r) => percent(r.busyMsPerSecond),
  },
  {
    key: 'blocked',
    label: 'Backpressured',
    numeric: true,
    title: 'Share of the last second its tasks waited for a full outgoing queue (the rest of the second: idle)',
    sort: (r) => r.backPressuredMsPerSecond,
    cell: (r) => percent(r.backPressuredMsPerSecond),
  },
  {
    key: 'errors',
    label: 'Errors',
    numeric: true,
    title: 'Failed sessions since the processor started',
    sort: (r) => r.errors,
    cell: (r) => (r.errors > 0 ? <span className="error-text">{formatCount(r.errors)}</span> : 0),
  },
  {
    key: 'bulletins',
    label: 'Bulletins',
    numeric: true,
    title: 'Bulletins the processor holds now (its last 20)',
    sort: (r) => r.bulletins,
    cell: (r) => r.bulletins,
  },
];

export const CONNECTION_COLUMNS: Column<ConnectionRow>[] = [
  { key: 'flow', label: 'Flow › Group', sort: (r) => `${r.flowName} › ${where(r)}`, cell: (r) => <Where row={r} /> },
  {
    key: 'path',
    label: 'Source → Target',
    sort: (r) => `${r.source.name} → ${r.target.name}`,
    cell: (r) => (
      <span className="name-cell">
        {r.source.name} → {r.target.name}
      </span>
    ),
  },
  {
    key: 'relationships',
    label: 'Relationships',
    sort: (r) => r.relationships.join(', '),
    cell: (r) => r.relationships.join(', '),
  },
  {
    key: 'queued',
    label: 'Queued',
    numeric: true,
    sort: (r) => r.count,
    cell: (r) => <InOut count={r.count} bytes={r.bytes} />,
  },
  {
    key: 'fill',
    label: 'Fill',
    numeric: true,
    title: 'How full the queue is, of the fuller backpressure threshold (FlowFiles or bytes)',
    sort: (r) => r.fillPercent,
    cell: (r) => (
      <span
        className="fill-cell"
        title={`${formatCount(r.objectThreshold)} FlowFiles / ${formatBytes(r.bytesThreshold)}`}
      >
        <span className="fill-bar">
          <span
            className={`fill ${r.backPressured ? 'full' : ''}`}
            style={{ width: `${Math.min(100, r.fillPercent)}%` }}
          />
        </span>
        {r.fillPercent}%
      </span>
    ),
  },
  {
    key: 'backpressured',
    label: 'Backpressured',
    sort: (r) => (r.backPressured ? 1 : 0),
    cell: (r) => (r.backPressured ? <span className="error-text">yes</span> : <span className="muted">no</span>),
  },
  { key: 'oldest', label: 'Oldest', numeric: true, sort: (r) => r.oldestAgeMs, cell: (r) => formatAge(r.oldestAgeMs) },
];

/** The text a row is filtered by. */
export const processorText = (r: ProcessorRow) =>
  [r.flowName, r.flowId, ...r.groupNames, r.name, r.globalId, r.type, r.state].join('\n');
export const connectionText = (r: ConnectionRow) =>
  [r.flowName, r.flowId, ...r.groupNames, r.name, r.globalId, r.source.name, r.target.name, ...r.relationships].join(
    '\n',
  );
