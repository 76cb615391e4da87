/** Modal dialogs: new flow, a list of problems, a confirmation; and notices (the login page: ./login). */
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { useStore } from '../store';

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

export function ProblemsDialog() {
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
