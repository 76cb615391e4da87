/**
 * Modal dialogs: new flow, a list of problems, a deletion that would drop queued FlowFiles, a confirmation; and
 * notices (the login page: ./login).
 */
import { type FormEvent, type ReactNode, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { Flow } from '../api/types';
import { useStore } from '../store';
import {
  cancelQueuedDelete,
  emptyQueuesAndSave,
  onQueuedConflict,
  type QueuedConflict,
  queuedConflict,
} from '../store/autosave';

export function Dialog(props: {
  title: string;
  testId: string;
  children: ReactNode;
  footer: ReactNode;
  onClose?: () => void;
}) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && props.onClose?.();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [props.onClose]);
  return (
    <div className="backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-label={props.title} data-testid={props.testId}>
        <header>
          <h2>{props.title}</h2>
        </header>
        <div className="body">{props.children}</div>
        <footer>{props.footer}</footer>
      </div>
    </div>
  );
}

/** Puts the caret in the dialog's field, so a name or token can be typed at once. */
export function useFocus<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => ref.current?.focus(), []);
  return ref;
}

export function NewFlowDialog({ onCreate, onCancel }: { onCreate(name: string): void; onCancel(): void }) {
  const [name, setName] = useState('');
  const input = useFocus<HTMLInputElement>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) onCreate(name.trim());
  };
  return (
    <form onSubmit={submit}>
      <Dialog
        title="New flow"
        testId="new-flow-dialog"
        onClose={onCancel}
        footer={
          <>
            <button type="button" className="btn" onClick={onCancel}>
              Cancel
            </button>
            <button type="submit" className="btn primary" data-testid="new-flow-create" disabled={!name.trim()}>
              Create
            </button>
          </>
        }
      >
        <div className="field">
          <label htmlFor="new-flow-name">Name</label>
          <input
            ref={input}
            id="new-flow-name"
            data-testid="new-flow-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. Orders to S3"
          />
        </div>
      </Dialog>
    </form>
  );
}

/** The app's dialogs about a refused action: a list of problems, and a deletion of queued FlowFiles. */
export function ProblemsDialog() {
  return (
    <>
      <QueuedDeleteDialog />
      <ProblemList />
    </>
  );
}

function ProblemList() {
  const problems = useStore((s) => s.problems);
  if (!problems) return null;
  const close = () => useStore.getState().showProblems(null);
  return (
    <Dialog
      title={problems.title}
      testId="problems-dialog"
      onClose={close}
      footer={
        <button type="button" className="btn primary" onClick={close} data-testid="problems-close">
          Close
        </button>
      }
    >
      <p style={{ margin: 0 }}>{problems.message}</p>
      {problems.issues.length > 0 && (
        <ul className="issue-list" data-testid="problems-list">
          {problems.issues.map((i) => (
            <li key={`${i.path}|${i.message}`}>
              <code>{i.path || '/'}</code>
              {i.message}
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}

/**
 * The server refused a save (409) that drops connections still holding FlowFiles (a deleted connection, or a
 * deleted processor's): one question, naming each connection and its count. "Empty the queue and delete"
 * empties them (each emptied FlowFile a DROP) and saves again; "Cancel" undoes the deletion.
 */
export function QueuedDeleteDialog() {
  const question = useSyncExternalStore(onQueuedConflict, queuedConflict);
  if (!question) return null;
  const total = question.removals.reduce((n, r) => n + r.count, 0);
  const several = question.removals.length > 1;
  return (
    <Dialog
      title={several ? 'Delete connections that hold FlowFiles?' : 'Delete a connection that holds FlowFiles?'}
      testId="queued-delete-dialog"
      onClose={cancelQueuedDelete}
      footer={
        <>
          <button type="button" className="btn" data-testid="queued-delete-cancel" onClick={cancelQueuedDelete}>
            Cancel
          </button>
          <button
            type="button"
            className="btn danger"
            data-testid="queued-delete-confirm"
            onClick={() => void emptyQueuesAndSave()}
          >
            {several ? 'Empty the queues and delete' : 'Empty the queue and delete'}
          </button>
        </>
      }
    >
      <p style={{ margin: 0 }}>
        {`The deletion removes ${several ? 'connections whose queues hold' : 'a connection whose queue holds'} ${flowFiles(total)}. Empty ${several ? 'them' : 'it'} (each FlowFile is dropped, recorded as a DROP) and delete, or cancel to put back what was deleted.`}
      </p>
      <ul className="issue-list" data-testid="queued-delete-list">
        {question.removals.map((r) => (
          <li key={r.connectionId} data-connection={r.connectionId}>
            <code>{r.connectionId}</code>
            {`${describeConnection(question, r.connectionId)}${flowFiles(r.count)} queued`}
          </li>
        ))}
      </ul>
    </Dialog>
  );
}

const flowFiles = (n: number) => (n === 1 ? '1 FlowFile' : `${n.toLocaleString()} FlowFiles`);

/** "Generate → Log: " from the document before the deletion, when the connection is a top-level one. */
function describeConnection(question: QueuedConflict, connectionId: string): string {
  const { history, doc } = useStore.getState();
  const before: Flow | undefined = history.past.at(-1);
  const c = before?.connections.find((x) => x.id === connectionId);
  if (!before || !c || doc?.id !== question.flowId) return '';
  const name = (end: unknown) => {
    if (typeof end !== 'string') return 'a port';
    const p = before.processors.find((x) => x.id === end);
    return p?.name ?? end;
  };
  return `${name(c.source)} → ${name(c.target)}: `;
}

export function ConfirmDialog(props: {
  title: string;
  text: string;
  action: string;
  onConfirm(): void;
  onCancel(): void;
}) {
  return (
    <Dialog
      title={props.title}
      testId="confirm-dialog"
      onClose={props.onCancel}
      footer={
        <>
          <button type="button" className="btn" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="button" className="btn danger" data-testid="confirm" onClick={props.onConfirm}>
            {props.action}
          </button>
        </>
      }
    >
      <p style={{ margin: 0 }}>{props.text}</p>
    </Dialog>
  );
}

export function Notices() {
  const notices = useStore((s) => s.notices);
  return (
    <div className="notices" data-testid="notices">
      {notices.map((n) => (
        <div key={n.id} className={`notice ${n.tone}`} role={n.tone === 'error' ? 'alert' : 'status'}>
          <span>{n.text}</span>
          <button type="button" aria-label="Dismiss" onClick={() => useStore.getState().dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
