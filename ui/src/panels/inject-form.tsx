/**
 * The inject form: one FlowFile a person puts into a connection's queue (content as text, attributes as
 * key/value rows), sent with `api.inject`; the server records it as a RECEIVE from sluice://user/<name>. The
 * last FlowFile injected into a connection is remembered in localStorage ("Use last injected"). Allowed when
 * the queue is full and when the flow is stopped (it waits in the queue).
 */
import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api/client';
import type { InjectRequest } from '../api/tap-types';
import { formatIssue } from '../lib/issues';
import { useStore } from '../store';
import { useTapStore } from '../tap-store';
import { Dialog, useFocus } from './dialogs';
import { useConnectionName } from './tap-panel';

interface Row {
  /** Stable React key of the row. */
  id: number;
  key: string;
  value: string;
}

let nextRow = 1;
const newRow = (key = '', value = ''): Row => ({ id: nextRow++, key, value });

const storageKey = (flowId: string, connectionId: string) => `sluice.inject.${flowId}.${connectionId}`;

export function lastInjected(flowId: string, connectionId: string): InjectRequest | undefined {
  try {
    const text = localStorage.getItem(storageKey(flowId, connectionId));
    const parsed = text ? (JSON.parse(text) as InjectRequest) : undefined;
    return parsed && typeof parsed.content === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Attribute rows as an object; a problem names the row (an empty name, a name given twice). */
export function rowsToAttributes(rows: readonly Pick<Row, 'key' | 'value'>[]): {
  attributes: Record<string, string>;
  problem?: string;
} {
  const attributes: Record<string, string> = {};
  for (const [i, row] of rows.entries()) {
    const key = row.key.trim();
    if (!key && !row.value) continue;
    if (!key) return { attributes, problem: `attribute ${i + 1} needs a name` };
    if (key in attributes) return { attributes, problem: `attribute "${key}" is given twice` };
    attributes[key] = row.value;
  }
  return { attributes };
}

export function InjectForm({ flowId, connectionId }: { flowId: string; connectionId: string }) {
  const name = useConnectionName(connectionId);
  const last = lastInjected(flowId, connectionId);
  const [content, setContent] = useState('');
  const [rows, setRows] = useState<Row[]>(() => [newRow()]);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const field = useFocus<HTMLTextAreaElement>();
  const close = () => useTapStore.getState().closeInject();

  const loadLast = () => {
    if (!last) return;
    setContent(last.content);
    const loaded = Object.entries(last.attributes).map(([key, value]) => newRow(key, value));
    setRows(loaded.length > 0 ? loaded : [newRow()]);
  };

  const send = async (e: FormEvent) => {
    e.preventDefault();
    const { attributes, problem } = rowsToAttributes(rows);
    if (problem) return setError(problem);
    setSending(true);
    setError(null);
    try {
      const body: InjectRequest = { content, attributes };
      const { flowFileId } = await api.inject(flowId, connectionId, body);
      localStorage.setItem(storageKey(flowId, connectionId), JSON.stringify(body));
      useStore.getState().notify(`Injected FlowFile ${flowFileId.slice(0, 8)} into ${name}`);
      close();
    } catch (err) {
      const details = err instanceof ApiError ? err.details.map(formatIssue).join('; ') : '';
      setError(`${(err as Error).message}${details ? `: ${details}` : ''}`);
    } finally {
      setSending(false);
    }
  };

  const setRow = (i: number, change: Partial<Row>) =>
    setRows((all) => all.map((r, j) => (j === i ? { ...r, ...change } : r)));

  return (
    <form onSubmit={send}>
      <Dialog
        title={`Inject into ${name}`}
        testId="inject-form"
        onClose={close}
        footer={
          <>
            <button type="button" className="btn" onClick={loadLast} disabled={!last} data-testid="inject-use-last">
              Use last injected
            </button>
            <span className="spacer" />
            <button type="button" className="btn" onClick={close} data-testid="inject-cancel">
              Cancel
            </button>
            <button type="submit" className="btn primary" disabled={sending} data-testid="inject-send">
              Send
            </button>
          </>
        }
      >
        <div className="field">
          <label htmlFor="inject-content">Content (text)</label>
          <textarea
            ref={field}
            id="inject-content"
            data-testid="inject-content"
            rows={6}
            value={content}
            onChange={(e) => setContent(e.target.value)}
          />
        </div>
        <div className="field">
          <span className="label">Attributes</span>
          {rows.map((row, i) => (
            <div className="inject-row" key={row.id}>
              <input
                aria-label={`Attribute ${i + 1} name`}
                data-testid={`inject-attr-key-${i}`}
                placeholder="name"
                value={row.key}
                onChange={(e) => setRow(i, { key: e.target.value })}
              />
              <input
                aria-label={`Attribute ${i + 1} value`}
                data-testid={`inject-attr-value-${i}`}
                placeholder="value"
                value={row.value}
                onChange={(e) => setRow(i, { value: e.target.value })}
              />
              <button
                type="button"
                className="btn small"
                aria-label={`Remove attribute ${i + 1}`}
                onClick={() => setRows((all) => all.filter((_, j) => j !== i))}
              >
                ×
              </button>
            </div>
          ))}
          <button
            type="button"
            className="btn small"
            data-testid="inject-add-attr"
            onClick={() => setRows((all) => [...all, newRow()])}
          >
            Add attribute
          </button>
        </div>
        <p className="muted">
          Goes into the queue even when it is full or the flow is stopped; recorded in provenance as a RECEIVE by you.
        </p>
        {error && (
          <div className="row-error" data-testid="inject-error">
            {error}
          </div>
        )}
      </Dialog>
    </form>
  );
}

/** Inject into a processor's input: its first incoming connection; none (a source) means nothing to inject into. */
export function InjectInputButton({ processorId }: { processorId: string }) {
  const input = useStore((s) => s.edges.find((e) => e.target === processorId)?.id);
  return (
    <button
      type="button"
      className="btn"
      data-testid="processor-inject"
      disabled={!input}
      title={
        input
          ? 'Put one FlowFile into the queue of its first incoming connection'
          : 'It has no incoming connection: there is no queue to inject into'
      }
      onClick={() => input && useTapStore.getState().openInject(input)}
    >
      Inject…
    </button>
  );
}
