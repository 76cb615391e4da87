/**
 * The Tests panel of the open flow: its test cases (GET /tests; "no tests yet" without a file), "Run tests"
 * (pass/fail per case; a failed case lists each expectation not met with expected and actual side by side) and
 * deleting a case (editing role). Cases are added by pinning a watched connection's FlowFiles (tap panel). The
 * container reads the tests store, the view draws.
 */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { FlowTestCaseResult, FlowTestFile, FlowTestRunAnswer } from '../api/types';
import { useStore } from '../store';
import { useCan } from '../store/use-can';
import { useTests } from '../tests-store';
import { ConfirmDialog } from './dialogs';
import '../styles/tests.css';

export function TestsPanel() {
  const flowId = useStore((s) => s.meta?.id ?? null);
  const state = useTests(
    useShallow((s) => ({
      open: s.open,
      file: s.file,
      loading: s.loading,
      running: s.running,
      error: s.error,
      result: s.result,
    })),
  );
  const canRun = useCan('operator');
  const canEdit = useCan('admin');
  useEffect(() => useTests.getState().showFlow(flowId), [flowId]);
  if (!state.open || !flowId) return null;
  return <TestsView {...state} canRun={canRun} canEdit={canEdit} />;
}

type CaseOf = FlowTestFile['cases'][number];

function TestsView(props: {
  file: FlowTestFile | null;
  loading: boolean;
  running: boolean;
  error: string | null;
  result: FlowTestRunAnswer | null;
  canRun: boolean;
  canEdit: boolean;
}) {
  const [deleting, setDeleting] = useState<string | null>(null);
  const actions = useTests.getState();
  const cases = props.file?.cases ?? [];
  const resultOf = new Map((props.result?.cases ?? []).map((c) => [c.name, c]));
  return (
    <aside className="tests-panel nowheel" data-testid="tests-panel" aria-label="Tests">
      <header className="tests-head">
        <strong>Tests</strong>
        <span className="spacer" />
        {props.canRun && (
          <button
            type="button"
            className="btn small primary"
            data-testid="tests-run"
            disabled={props.running || cases.length === 0}
            onClick={() => void actions.run()}
          >
            {props.running ? 'Running…' : '▶ Run tests'}
          </button>
        )}
        <button type="button" className="btn small" onClick={() => void actions.refresh()} title="Reload the tests">
          ↻
        </button>
        <button
          type="button"
          className="btn small"
          data-testid="tests-close"
          onClick={actions.closePanel}
          title="Close"
        >
          ✕
        </button>
      </header>
      {props.error && (
        <div className="banner warn" role="alert" data-testid="tests-error">
          {props.error}
        </div>
      )}
      {props.result && <RunSummary result={props.result} running={props.running} />}
      {props.loading && !props.file && <p className="muted">Loading…</p>}
      {!props.loading && cases.length === 0 && (
        <p className="muted" data-testid="tests-empty">
          No tests yet. Watch a connection, let FlowFiles pass (or inject one), and pin them as a test.
        </p>
      )}
      <ol className="tests-list" data-testid="tests-list">
        {cases.map((c) => (
          <CaseRow
            key={c.name}
            testCase={c}
            result={resultOf.get(c.name)}
            canEdit={props.canEdit}
            onDelete={() => setDeleting(c.name)}
          />
        ))}
      </ol>
      {deleting && (
        <ConfirmDialog
          title={`Delete test "${deleting}"?`}
          text="The case is removed from the flow's test file."
          action="Delete"
          onConfirm={() => {
            const name = deleting;
            setDeleting(null);
            void actions.deleteCase(name);
          }}
          onCancel={() => setDeleting(null)}
        />
      )}
    </aside>
  );
}

function RunSummary({ result, running }: { result: FlowTestRunAnswer; running: boolean }) {
  const ok = result.failed === 0 && !result.issues;
  return (
    <div className={`tests-summary ${ok ? 'passed' : 'failed'}`} data-testid="tests-summary" data-running={running}>
      {result.passed} passed, {result.failed} failed
      {result.issues && (
        <ul className="tests-issues" data-testid="tests-issues">
          {result.issues.map((i) => (
            <li key={`${i.path}:${i.message}`}>
              <code>{i.path || '/'}</code> {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function CaseRow(props: { testCase: CaseOf; result?: FlowTestCaseResult; canEdit: boolean; onDelete(): void }) {
  const { testCase, result } = props;
  const status = result ? (result.passed ? 'passed' : 'failed') : 'not-run';
  const injected = (testCase.inject ?? []).reduce((n, i) => n + (i.repeat ?? 1), 0);
  const places = [...new Set((testCase.inject ?? []).map((i) => i.at))];
  return (
    <li
      className={`test-case test-case-${status}`}
      data-testid="test-case"
      data-name={testCase.name}
      data-status={status}
    >
      <div className="test-case-head">
        <span className="test-status" role="img" aria-label={status}>
          {status === 'passed' ? '✓' : status === 'failed' ? '✗' : '○'}
        </span>
        <span className="test-name">{testCase.name}</span>
        {result && <span className="muted">{result.durationMs} ms</span>}
        <span className="spacer" />
        {props.canEdit && (
          <button
            type="button"
            className="btn small"
            data-testid="test-delete"
            title="Delete this case"
            onClick={props.onDelete}
          >
            Delete
          </button>
        )}
      </div>
      <div className="muted test-case-what">
        {injected} FlowFile{injected === 1 ? '' : 's'} into {places.join(', ') || '(none)'} · {testCase.expect.length}{' '}
        check{testCase.expect.length === 1 ? '' : 's'}
      </div>
      {result && !result.passed && <CaseFailures result={result} />}
    </li>
  );
}

function CaseFailures({ result }: { result: FlowTestCaseResult }) {
  return (
    <div className="test-failures">
      {result.error && (
        <p className="test-error" data-testid="test-case-error">
          {result.error}
        </p>
      )}
      {result.failures.length > 0 && (
        <table className="test-diff" data-testid="test-diff">
          <thead>
            <tr>
              <th scope="col">Where</th>
              <th scope="col">Expected</th>
              <th scope="col">Actual</th>
            </tr>
          </thead>
          <tbody>
            {result.failures.map((f) => (
              <tr key={f.path} data-testid="test-failure" data-path={f.path} title={f.message}>
                <td>
                  <code>{f.at}</code>
                  <div className="muted">{f.message}</div>
                </td>
                <td className="test-expected" data-testid="test-expected">
                  <pre>{f.expected}</pre>
                </td>
                <td className="test-actual" data-testid="test-actual">
                  <pre>{f.actual}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(result.bulletins ?? []).length > 0 && (
        <ul className="test-bulletins">
          {result.bulletins!.map((b) => (
            <li key={b}>{b}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
