/**
 * The top bar: flow picker, new flow, rename, import / export, start / stop, provenance, the saved /
 * unsaved indicator (a failed save is shown here and can be opened for its reasons) and who is logged in.
 * Actions the role may not take are not shown (editing: admin; start / stop: operator).
 */
import { useRef, useState } from 'react';
import { useStore } from '../store';
import { flushSave } from '../store/autosave';
import { importFileIntoLevel } from '../store/group-actions';
import { createFlow, exportFlow, importFlowFile, openFlow, startFlow, stopFlow } from '../store/session';
import { useCan } from '../store/use-can';
import { useTests } from '../tests-store';
import { NewFlowDialog } from './dialogs';
import { useDraft } from './form/use-draft';
import { LiveIndicator } from './live-indicator';
import { ThemeToggle } from './theme-toggle';
import { TopNav } from './top-nav';
import { UserBadge } from './user-badge';
import { useVersions } from './versions-state';

export function TopBar() {
  const flows = useStore((s) => s.flows);
  const meta = useStore((s) => s.meta);
  const running = useStore((s) => s.status?.running ?? false);
  const saveStatus = useStore((s) => s.save.status);
  const fileInput = useRef<HTMLInputElement>(null);
  const levelInput = useRef<HTMLInputElement>(null);
  const [creating, setCreating] = useState(false);
  const canEdit = useCan('admin');
  const canRun = useCan('operator');

  return (
    <header className="topbar" data-testid="topbar">
      <div className="brand">
        <div className="brand-mark">≋</div>
        <span className="brand-name">Sluice</span>
      </div>
      <TopNav />
      <select
        aria-label="Flow"
        data-testid="flow-picker"
        value={meta?.id ?? ''}
        onChange={(e) => void openFlow(e.target.value)}
        style={{ width: 190 }}
      >
        {!meta && <option value="">Choose a flow…</option>}
        {flows.map((f) => (
          <option key={f.id} value={f.id}>
            {f.name}
            {f.state === 'running' ? ' ▶' : f.state === 'invalid' ? ' ⚠' : ''}
          </option>
        ))}
      </select>
      {canEdit && (
        <button type="button" className="btn" data-testid="new-flow" onClick={() => setCreating(true)}>
          + New
        </button>
      )}
      <div className="divider" />
      {meta && <FlowName key={meta.id} name={meta.name} readOnly={!canEdit} />}
      {meta && canEdit && <SaveIndicator />}
      {meta && !canEdit && (
        <span className="muted" data-testid="view-only" title="Your role may not edit flows">
          View only
        </span>
      )}
      <span className="spacer" />
      <input
        ref={fileInput}
        type="file"
        accept=".json,application/json"
        data-testid="import-file"
        style={{ display: 'none' }}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void importFlowFile(file);
        }}
      />
      <input
        ref={levelInput}
        type="file"
        accept=".json,application/json"
        data-testid="import-level-file"
        style={{ display: 'none' }}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void importFileIntoLevel(file);
        }}
      />
      {canEdit && (
        <button
          type="button"
          className="btn"
          data-testid="import"
          title="Import a flow file as a new flow"
          onClick={() => fileInput.current?.click()}
        >
          ⇪ <span className="btn-label">Import</span>
        </button>
      )}
      {canEdit && (
        <button
          type="button"
          className="btn"
          data-testid="import-into-level"
          disabled={!meta}
          title="Add a flow file to the level shown, as a new process group"
          onClick={() => levelInput.current?.click()}
        >
          ⊞ <span className="btn-label">Import into this level</span>
        </button>
      )}
      <button
        type="button"
        className="btn"
        data-testid="export"
        disabled={!meta}
        title="Download the flow as a file"
        onClick={() => void exportFlow()}
      >
        ⇩ <span className="btn-label">Export</span>
      </button>
      <button
        type="button"
        className="btn"
        data-testid="open-provenance"
        disabled={!meta}
        title="Provenance: what happened to each FlowFile"
        onClick={() => useStore.getState().openDrawer({ kind: 'provenance' })}
      >
        ⌕ <span className="btn-label">Provenance</span>
      </button>
      <button
        type="button"
        className="btn"
        data-testid="open-versions"
        disabled={!meta}
        title="Versions: every save of this flow, compare and revert"
        onClick={() => meta && useVersions.getState().openPanel(meta.id)}
      >
        ⟲ <span className="btn-label">Versions</span>
      </button>
      <button
        type="button"
        className="btn"
        data-testid="open-tests"
        disabled={!meta}
        title="Tests: this flow's test cases, run them"
        onClick={() => meta && useTests.getState().openPanel(meta.id)}
      >
        ✓ <span className="btn-label">Tests</span>
      </button>
      <div className="divider" />
      <span className={`run-state ${running ? 'running' : 'stopped'}`} data-testid="flow-state">
        {running ? '● ' : '○ '}
        <span className="run-state-word">{running ? 'Running' : 'Stopped'}</span>
      </span>
      {!canRun ? null : running ? (
        <button type="button" className="btn" data-testid="flow-stop" onClick={() => void stopFlow()}>
          ■ Stop
        </button>
      ) : (
        <button
          type="button"
          className="btn run"
          data-testid="flow-start"
          disabled={!meta || saveStatus === 'invalid'}
          title={saveStatus === 'invalid' ? 'The flow has problems; fix them to start it' : 'Start every processor'}
          onClick={() => void startFlow()}
        >
          ▶ Start
        </button>
      )}
      <LiveIndicator />
      <ThemeToggle />
      <UserBadge />
      {creating && (
        <NewFlowDialog
          onCancel={() => setCreating(false)}
          onCreate={(name) => {
            setCreating(false);
            void createFlow(name);
          }}
        />
      )}
    </header>
  );
}

function FlowName({ name, readOnly }: { name: string; readOnly: boolean }) {
  const draft = useDraft(name, (text) => {
    if (text.trim()) useStore.getState().renameFlow(text.trim());
  });
  return (
    <input
      className="flow-name"
      aria-label="Flow name"
      data-testid="flow-name"
      readOnly={readOnly}
      value={draft.text}
      onFocus={draft.onFocus}
      onBlur={draft.onBlur}
      onChange={(e) => draft.onChange(e.target.value)}
      onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
    />
  );
}

function SaveIndicator() {
  const save = useStore((s) => s.save);
  const revision = useStore((s) => s.revision);
  const problems = save.issues.count;
  const problemText = problems === 1 ? '1 problem' : `${problems} problems`;
  const text =
    save.status === 'saved'
      ? 'Saved'
      : save.status === 'saving'
        ? 'Saving…'
        : save.status === 'pending'
          ? 'Unsaved changes'
          : save.status === 'invalid'
            ? // The server keeps a flow with problems (it cannot start); a 400 left it unsaved.
              save.savedRevision === revision
              ? `Saved · ${problemText}`
              : `Not saved: ${problemText}`
            : 'Save failed';
  const failed = save.status === 'invalid' || save.status === 'error';
  const open = () => {
    if (save.status === 'error') {
      useStore.getState().setSave({ status: 'pending' });
      void flushSave();
    } else if (save.status === 'invalid') useStore.getState().select({});
  };
  return (
    <button
      type="button"
      className={`save-indicator ${save.status}`}
      data-testid="save-status"
      data-status={save.status}
      title={
        failed
          ? `${save.message ?? ''}${save.status === 'error' ? ' — click to retry' : ' — click to list them'}`
          : text
      }
      onClick={open}
      disabled={!failed}
    >
      <span className="dot" />
      {text}
    </button>
  );
}
