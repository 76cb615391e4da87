/**
 * The bulletin board: every bulletin of every flow, newest first, live (polled every two seconds), filtered by
 * flow, processor, level and text. Bulletins stay when their flow stops or is deleted (until the server
 * restarts); a processor that still exists opens on the canvas, selected.
 */
import { useEffect, useMemo, useState } from 'react';
import type { BulletinLevel, LocatedBulletin } from '../api/types';
import { formatTime } from '../lib/format';
import { useStore } from '../store';
import { goTo } from './go-to';
import { SHOWN_MAX, useBulletins } from './use-bulletins';

/** Typing settles for this long before the board is asked again. */
const TEXT_DELAY_MS = 250;

export function BulletinsPage() {
  const flows = useStore((s) => s.flows);
  const [flowId, setFlowId] = useState('');
  const [processorId, setProcessorId] = useState('');
  const [level, setLevel] = useState<BulletinLevel | ''>('');
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setQ(text.trim()), TEXT_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text]);

  const board = useBulletins({
    flowId: flowId || undefined,
    processorId: processorId || undefined,
    level: level || undefined,
    q: q || undefined,
  });
  const processors = useSeenProcessors(board.bulletins, flowId);
  const flowName = (id: string) => flows.find((f) => f.id === id)?.name ?? id;

  return (
    <section className="page" data-testid="bulletins-page" aria-label="Bulletins">
      <header className="page-head">
        <h1>Bulletins</h1>
        <span className="muted">Newest first; kept across flow stops until the server restarts.</span>
        <span className="spacer" />
        <select
          aria-label="Flow"
          data-testid="bulletin-flow-filter"
          value={flowId}
          onChange={(e) => {
            setFlowId(e.target.value);
            setProcessorId('');
          }}
        >
          <option value="">All flows</option>
          {flows.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </select>
        <select
          aria-label="Processor"
          data-testid="bulletin-processor-filter"
          value={processorId}
          onChange={(e) => setProcessorId(e.target.value)}
          disabled={!flowId}
          title={flowId ? undefined : 'Choose a flow first'}
        >
          <option value="">All processors</option>
          {processors.map(([id, name]) => (
            <option key={id} value={id}>
              {name}
            </option>
          ))}
        </select>
        <select
          aria-label="Level"
          data-testid="bulletin-level-filter"
          value={level}
          onChange={(e) => setLevel(e.target.value as BulletinLevel | '')}
        >
          <option value="">All levels</option>
          <option value="error">Errors</option>
          <option value="warn">Warnings</option>
        </select>
        <input
          type="search"
          placeholder="Filter by text…"
          aria-label="Text"
          data-testid="bulletin-text-filter"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </header>
      {board.error && <p className="error-text">Could not refresh the bulletins: {board.error}</p>}
      {board.truncated && <p className="muted">Showing the newest {SHOWN_MAX}.</p>}
      <table className="data-table bulletin-table" data-testid="bulletin-table">
        <thead>
          <tr>
            <th>Time</th>
            <th>Level</th>
            <th>Flow</th>
            <th>Processor</th>
            <th>Message</th>
          </tr>
        </thead>
        <tbody>
          {board.bulletins.map((b) => (
            <BulletinRow key={b.id} bulletin={b} flowName={flowName(b.flowId)} />
          ))}
          {board.bulletins.length === 0 && (
            <tr>
              <td colSpan={5} className="empty" data-testid="bulletins-empty">
                {board.loading ? 'Loading…' : 'No bulletins match.'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

function BulletinRow({ bulletin: b, flowName }: { bulletin: LocatedBulletin; flowName: string }) {
  const location = b.location;
  return (
    <tr data-testid="bulletin-row" data-level={b.level} data-flow={b.flowId} data-processor={b.processorId}>
      <td className="time-cell" title={new Date(b.time).toString()}>
        {formatTime(b.time)}
      </td>
      <td>
        <span className={`level-pill ${b.level}`}>{b.level}</span>
      </td>
      <td>{flowName}</td>
      <td>
        {location ? (
          <button
            type="button"
            className="link"
            data-testid="bulletin-processor"
            title={`Open ${b.processorId} on the canvas`}
            onClick={() => void goTo({ flowId: b.flowId, groups: location.groups, id: location.id })}
          >
            {b.processorName}
          </button>
        ) : (
          <span title="No longer in the flow">{b.processorName}</span>
        )}
        {location && location.groupNames.length > 0 && (
          <span className="muted"> in {location.groupNames.join(' › ')}</span>
        )}
      </td>
      <td className="message-cell">
        {b.message}
        {b.flowFileIds.length > 0 && <span className="muted"> · {b.flowFileIds.length} FlowFile(s)</span>}
      </td>
    </tr>
  );
}

/** The processors of the bulletins seen on this page (of one flow), for the processor filter. */
function useSeenProcessors(bulletins: LocatedBulletin[], flowId: string): [string, string][] {
  const [seen] = useState(() => new Map<string, Map<string, string>>());
  return useMemo(() => {
    for (const b of bulletins) {
      const names = seen.get(b.flowId) ?? new Map<string, string>();
      seen.set(b.flowId, names);
      names.set(b.processorId, b.processorName);
    }
    return [...(seen.get(flowId) ?? new Map<string, string>())].sort((a, b) => a[1].localeCompare(b[1]));
  }, [bulletins, flowId, seen]);
}
