/**
 * The debug sidebar on the canvas (Node-RED's debug tab): the container opens the flow's tap stream while the
 * sidebar is open and hosts two views, the watched connections' FlowFiles (`TapPanel`: id, attributes, size,
 * content preview, time; newest first, live) and the flow's debug lines (debug-panel.tsx); plus the inject form.
 */
import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { openTapStream } from '../api/tap-stream';
import type { TapEntry } from '../api/tap-types';
import { formatBytes, formatTime } from '../lib/format';
import { useStore } from '../store';
import { useCan } from '../store/use-can';
import { type ConnectionTapView, useTapStore } from '../tap-store';
import { useTests } from '../tests-store';
import { DebugPanel } from './debug-panel';
import { InjectForm } from './inject-form';
import '../styles/debug.css';

/** "Generate → Log" for a connection id of the shown flow. */
export function useConnectionName(connectionId: string): string {
  return useStore((s) => {
    const edge = s.edges.find((e) => e.id === connectionId);
    if (!edge) return connectionId;
    const name = (id: string) => s.nodes.find((n) => n.id === id)?.data.spec.name ?? id;
    return `${name(edge.source)} → ${name(edge.target)}`;
  });
}

export function DebugSidebar() {
  const flowId = useStore((s) => s.meta?.id ?? null);
  const { open, tab, watched, live, injectFor } = useTapStore(
    useShallow((s) => ({ open: s.open, tab: s.tab, watched: s.watched, live: s.live, injectFor: s.injectFor })),
  );
  useEffect(() => useTapStore.getState().showFlow(flowId), [flowId]);
  const key = watched.join(',');
  // One stream while the sidebar is open; reopened with the new list when the watched connections change.
  useEffect(() => {
    if (!open || !flowId) return;
    const store = useTapStore.getState();
    return openTapStream(flowId, key ? key.split(',') : [], store.receive, store.setLive);
  }, [open, flowId, key]);

  return (
    <>
      {!open && (
        <button
          type="button"
          className="btn small debug-toggle nodrag"
          data-testid="debug-toggle"
          onClick={() => useTapStore.getState().openPanel()}
          title="Watched connections and debug lines"
        >
          Debug{watched.length > 0 ? ` (${watched.length})` : ''}
        </button>
      )}
      {open && (
        <aside className="debug-sidebar" data-testid="debug-sidebar" aria-label="Debug">
          <header className="debug-head">
            <div className="inspector-tabs" role="tablist">
              {(['tap', 'debug'] as const).map((t) => (
                <button
                  key={t}
                  type="button"
                  role="tab"
                  aria-selected={tab === t}
                  className={`inspector-tab${tab === t ? ' active' : ''}`}
                  data-testid={`debug-tab-${t}`}
                  onClick={() => useTapStore.getState().openPanel(t)}
                >
                  {t === 'tap' ? `Watched (${watched.length})` : 'Debug'}
                </button>
              ))}
            </div>
            <span
              className={`debug-live${live ? ' on' : ''}`}
              data-testid="debug-live"
              data-live={live}
              title={live ? 'Live' : 'Not connected'}
            />
            <button
              type="button"
              className="btn small"
              data-testid="debug-close"
              onClick={() => useTapStore.getState().closePanel()}
            >
              Close
            </button>
          </header>
          <div className="debug-body">{tab === 'tap' ? <TapPanel /> : <DebugPanel />}</div>
        </aside>
      )}
      {injectFor && flowId && <InjectForm flowId={flowId} connectionId={injectFor} />}
    </>
  );
}

/** Each watched connection with its FlowFiles, newest first. */
export function TapPanel() {
  const watched = useTapStore((s) => s.watched);
  if (watched.length === 0)
    return (
      <p className="muted" data-testid="tap-empty">
        No connection watched. Select a connection and press Watch to see the FlowFiles passing through it.
      </p>
    );
  return (
    <>
      {watched.map((c) => (
        <WatchedConnection key={c} connectionId={c} />
      ))}
    </>
  );
}

function WatchedConnection({ connectionId }: { connectionId: string }) {
  const view = useTapStore((s) => s.taps[connectionId]) as ConnectionTapView | undefined;
  const name = useConnectionName(connectionId);
  const canInject = useCan('operator');
  // Pinning reads content (admin) and saves the flow's tests (admin).
  const canPin = useCan('admin');
  const pinning = useTests((s) => s.pinning === connectionId);
  const entries = view?.entries ?? [];
  return (
    <section className="tap-connection" data-testid={`tap-${connectionId}`}>
      <div className="tap-title">
        <strong>{name}</strong>
        <span className="muted">
          {entries.length} shown{view && view.skipped > 0 ? ` · skipped ${view.skipped}` : ''}
        </span>
        <span className="spacer" />
        {canInject && (
          <button
            type="button"
            className="btn small"
            data-testid={`tap-inject-${connectionId}`}
            onClick={() => useTapStore.getState().openInject(connectionId)}
          >
            Inject…
          </button>
        )}
        {canPin && entries.length > 0 && (
          <button
            type="button"
            className="btn small"
            data-testid={`tap-pin-${connectionId}`}
            disabled={pinning}
            title="Pin these FlowFiles as a test: they become its input, and what the next processor makes of them now its expectations"
            onClick={() => void useTests.getState().pin(connectionId, name)}
          >
            {pinning ? 'Pinning…' : 'Pin as test'}
          </button>
        )}
        <button
          type="button"
          className="btn small"
          data-testid={`tap-unwatch-${connectionId}`}
          onClick={() => useTapStore.getState().unwatch(connectionId)}
        >
          Stop
        </button>
      </div>
      {entries.length === 0 ? (
        <p className="muted">Waiting for FlowFiles…</p>
      ) : (
        <ol className="tap-entries" data-testid={`tap-entries-${connectionId}`}>
          {entries.map((e) => (
            <TapEntryView key={e.seq} entry={e} />
          ))}
        </ol>
      )}
    </section>
  );
}

function TapEntryView({ entry }: { entry: TapEntry }) {
  return (
    <li className="tap-entry" data-testid={`tap-entry-${entry.flowFileId}`}>
      <div className="tap-entry-head">
        <code title={entry.flowFileId}>{entry.flowFileId.slice(0, 8)}</code>
        <span className="muted">
          {formatBytes(entry.size)} · {formatTime(entry.time)}
        </span>
      </div>
      <dl className="attrs tap-attrs">
        {Object.entries(entry.attributes).map(([k, v]) => (
          <div key={k} className="tap-attr">
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {entry.preview ? (
        <pre className={`tap-preview ${entry.preview.encoding}`} data-testid="tap-preview">
          {entry.preview.preview}
          {entry.preview.truncated ? '…' : ''}
        </pre>
      ) : (
        <p className="muted">Content is shown to admins only.</p>
      )}
    </li>
  );
}
