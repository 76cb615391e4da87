/**
 * The Versions panel of the open flow: its versions (time, author, message), newest first; select one to
 * compare it with the current flow (the diff is listed here and drawn on the canvas: added green, changed amber,
 * removed as red ghosts) or to revert to it (after a confirm; editing role only). The container reads the
 * versions store, the view draws.
 */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { FlowStructuralDiff, FlowVersion } from '../api/types';
import { describeChange, describeComponent } from '../canvas/diff-marks';
import { useStore } from '../store';
import { useCan } from '../store/use-can';
import { ConfirmDialog } from './dialogs';
import { useVersions } from './versions-state';
import '../styles/versions.css';

export function VersionsPanel() {
  const flowId = useStore((s) => s.meta?.id ?? null);
  const state = useVersions(
    useShallow((s) => ({
      open: s.open,
      versions: s.versions,
      loading: s.loading,
      error: s.error,
      selected: s.selected,
      diff: s.diff,
      diffFrom: s.diffFrom,
    })),
  );
  const canEdit = useCan('admin');
  useEffect(() => useVersions.getState().showFlow(flowId), [flowId]);
  if (!state.open || !flowId) return null;
  return <VersionsView {...state} canEdit={canEdit} />;
}

function VersionsView(props: {
  versions: FlowVersion[];
  loading: boolean;
  error: string | null;
  selected: string | null;
  diff: FlowStructuralDiff | null;
  diffFrom: string | null;
  canEdit: boolean;
}) {
  const [confirming, setConfirming] = useState(false);
  const actions = useVersions.getState();
  const selected = props.versions.find((v) => v.id === props.selected);
  return (
    <aside className="versions-panel nowheel" data-testid="versions-panel" aria-label="Versions">
      <header className="versions-head">
        <strong>Versions</strong>
        <span className="spacer" />
        <button type="button" className="btn small" onClick={() => void actions.refresh()} title="Reload the list">
          ↻
        </button>
        <button
          type="button"
          className="btn small"
          data-testid="versions-close"
          onClick={actions.closePanel}
          title="Close (clears the comparison)"
        >
          ✕
        </button>
      </header>
      {props.error && (
        <div className="banner warn" role="alert" data-testid="versions-error">
          {props.error}
        </div>
      )}
      <ol className="versions-list" data-testid="versions-list">
        {props.loading && props.versions.length === 0 && <li className="muted">Loading…</li>}
        {!props.loading && props.versions.length === 0 && <li className="muted">No versions yet.</li>}
        {props.versions.map((v, i) => (
          <li key={v.id}>
            <button
              type="button"
              className={`version-row${v.id === props.selected ? ' selected' : ''}`}
              data-testid="version-row"
              data-version={v.id}
              aria-pressed={v.id === props.selected}
              onClick={() => actions.select(v.id)}
            >
              <span className="version-message">{v.message}</span>
              <span className="version-meta">
                {new Date(v.time).toLocaleString()} · {v.author} · <code>{v.id.slice(0, 7)}</code>
                {i === 0 ? ' · latest' : ''}
              </span>
            </button>
          </li>
        ))}
      </ol>
      {selected && (
        <div className="versions-actions">
          <button type="button" className="btn" data-testid="versions-compare" onClick={() => void actions.compare()}>
            Compare with current
          </button>
          {props.canEdit && (
            <button
              type="button"
              className="btn danger"
              data-testid="versions-revert"
              onClick={() => setConfirming(true)}
            >
              Revert to this version
            </button>
          )}
        </div>
      )}
      {props.diff && <DiffList diff={props.diff} from={props.diffFrom} onClear={actions.clearDiff} />}
      {confirming && selected && (
        <ConfirmDialog
          title={`Revert to ${selected.id.slice(0, 7)}?`}
          text={`The flow becomes what it was at "${selected.message}" (${new Date(selected.time).toLocaleString()}), saved as a new version; the current state stays in the history.`}
          action="Revert"
          onConfirm={() => {
            setConfirming(false);
            void actions.revert();
          }}
          onCancel={() => setConfirming(false)}
        />
      )}
    </aside>
  );
}

const MARK = { added: '+', removed: '−', changed: '~', moved: '↔' } as const;

function DiffList({ diff, from, onClear }: { diff: FlowStructuralDiff; from: string | null; onClear(): void }) {
  return (
    <section className="versions-diff" data-testid="versions-diff">
      <header className="versions-head">
        <span>
          {from?.slice(0, 7)} → current: {diff.equal ? 'no differences' : `${diff.components.length} change(s)`}
        </span>
        <span className="spacer" />
        <button type="button" className="btn small" data-testid="versions-clear-diff" onClick={onClear}>
          Clear
        </button>
      </header>
      <ul>
        {diff.components.map((c) => (
          <li
            key={`${c.kind}:${c.group.join('/')}:${c.id}`}
            className={`diff-item diff-item-${c.change}`}
            data-testid={`diff-item-${c.kind}-${c.id}`}
            data-change={c.change}
          >
            <span className="diff-sign">{MARK[c.change]}</span> {describeComponent(c)}{' '}
            <span className="muted">{c.change}</span>
            {c.changes && c.changes.length > 0 && (
              <ul className="diff-props">
                {c.changes.map((p) => (
                  <li key={p.path}>
                    <code>{describeChange(p)}</code>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
