/**
 * The flow's debug lines (what LogAttribute and other processors hand to `ctx.debug`), newest first, pushed live
 * by the tap stream; filterable by processor; Clear empties the flow's debug log on the server (operator).
 */
import { useMemo } from 'react';
import { api } from '../api/client';
import type { DebugEntry } from '../api/tap-types';
import { formatTime } from '../lib/format';
import { useStore } from '../store';
import { useCan } from '../store/use-can';
import { useTapStore } from '../tap-store';

export function DebugPanel() {
  const flowId = useStore((s) => s.meta?.id ?? '');
  const debug = useTapStore((s) => s.debug);
  const dropped = useTapStore((s) => s.debugDropped);
  const filter = useTapStore((s) => s.debugFilter);
  const canClear = useCan('operator');
  const processors = useMemo(() => {
    const names = new Map<string, string>();
    for (const e of debug) names.set(e.processorId, e.processorName);
    return [...names];
  }, [debug]);
  const shown = filter ? debug.filter((e) => e.processorId === filter) : debug;

  const clear = async () => {
    try {
      await api.clearDebugLog(flowId);
      useTapStore.getState().clearDebug();
    } catch (err) {
      useStore.getState().notify(`Could not clear the debug log: ${(err as Error).message}`, 'error');
    }
  };

  return (
    <div data-testid="debug-panel">
      <div className="debug-tools">
        <select
          aria-label="Processor"
          data-testid="debug-filter"
          value={filter}
          onChange={(e) => useTapStore.getState().setDebugFilter(e.target.value)}
        >
          <option value="">All processors</option>
          {processors.map(([id, name]) => (
            <option key={id} value={id}>
              {name}
            </option>
          ))}
        </select>
        {dropped > 0 && <span className="muted">{dropped} not shown (too many at once)</span>}
        <span className="spacer" />
        {canClear && (
          <button type="button" className="btn small" data-testid="debug-clear" onClick={clear}>
            Clear
          </button>
        )}
      </div>
      {shown.length === 0 ? (
        <p className="muted" data-testid="debug-empty">
          No debug lines yet. LogAttribute writes one per FlowFile while the flow runs.
        </p>
      ) : (
        <ol className="debug-lines" data-testid="debug-lines">
          {shown.map((e) => (
            <DebugLine key={e.id} entry={e} />
          ))}
        </ol>
      )}
    </div>
  );
}

function DebugLine({ entry }: { entry: DebugEntry }) {
  return (
    <li className="debug-line" data-testid="debug-line">
      <div className="tap-entry-head">
        <strong>{entry.processorName}</strong>
        <span className="muted">{formatTime(entry.time)}</span>
      </div>
      <div className="debug-message">{entry.message}</div>
      {entry.attributes && (
        <dl className="attrs tap-attrs">
          {Object.entries(entry.attributes).map(([k, v]) => (
            <div key={k} className="tap-attr">
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      )}
      {entry.content !== undefined && <pre className="tap-preview text">{entry.content}</pre>}
    </li>
  );
}
