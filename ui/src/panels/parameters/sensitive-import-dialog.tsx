/**
 * After an import saved as invalid only because sensitive values are missing (an export carries none): a form
 * asking for each value (password fields), saved with the flow (PUT with those values), then the outcome. Skip
 * keeps the flow as it is (invalid: it cannot start until the values are set, e.g. in the Parameters page).
 */
import { type FormEvent, useState } from 'react';
import { createPortal } from 'react-dom';
import { formatIssue } from '../../lib/issues';
import { setSensitiveValue } from '../../lib/parameters-edit';
import { useStore } from '../../store';
import { flushSave } from '../../store/autosave';
import { Dialog } from '../dialogs';

const keyOf = (m: { context: string; name: string }) => `${m.context}\u0000${m.name}`;

export function SensitiveImportDialog() {
  const prompt = useStore((s) => s.sensitivePrompt);
  if (!prompt) return null;
  return createPortal(<PromptForm key={prompt.flowId} />, document.body);
}

function PromptForm() {
  const prompt = useStore((s) => s.sensitivePrompt)!;
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string; issues: string[] } | null>(null);
  const close = () => useStore.getState().setSensitivePrompt(null);
  const skip = () => {
    close();
    useStore
      .getState()
      .notify(`Imported ${prompt.fileName}; it cannot start until its sensitive values are set (Parameters).`);
  };
  const filled = prompt.missing.filter((m) => (values[keyOf(m)] ?? '') !== '');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const s = useStore.getState();
    if (filled.length === 0 || s.doc?.id !== prompt.flowId) return;
    setBusy(true);
    s.updateFlow((f) => filled.reduce((flow, m) => setSensitiveValue(flow, m.context, m.name, values[keyOf(m)]!), f));
    setValues({});
    const saved = await flushSave();
    setBusy(false);
    const after = useStore.getState().save;
    if (saved && after.status === 'saved')
      setOutcome({ ok: true, text: 'Saved: the flow is valid and can start.', issues: [] });
    else {
      const issues = [
        ...after.issues.flow,
        ...Object.values(after.issues.processors).flat(),
        ...Object.values(after.issues.connections).flat(),
      ].map((i) => formatIssue({ path: i.fullPath, message: i.message }));
      setOutcome({
        ok: false,
        text: after.message ?? 'Saved, with problems: the flow cannot start until they are fixed.',
        issues,
      });
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)}>
      <Dialog
        title={`Sensitive values of ${prompt.fileName}`}
        testId="sensitive-import-dialog"
        onClose={outcome ? close : skip}
        footer={
          outcome ? (
            <button type="button" className="btn primary" data-testid="sensitive-import-close" onClick={close}>
              Close
            </button>
          ) : (
            <>
              <button type="button" className="btn" data-testid="sensitive-import-skip" onClick={skip}>
                Skip (keep it invalid)
              </button>
              <button
                type="submit"
                className="btn primary"
                data-testid="sensitive-import-save"
                disabled={busy || filled.length === 0}
              >
                {busy ? 'Saving…' : 'Save values'}
              </button>
            </>
          )
        }
      >
        {outcome ? (
          <div className={`banner ${outcome.ok ? 'info' : 'warn'}`} data-testid="sensitive-import-outcome">
            <strong>{outcome.text}</strong>
            {outcome.issues.length > 0 && (
              <ul>
                {outcome.issues.map((i) => (
                  <li key={i}>{i}</li>
                ))}
              </ul>
            )}
          </div>
        ) : (
          <>
            <p>
              The flow was imported, but a flow file never carries secrets: give each sensitive parameter its value.
              They are stored encrypted and never shown again.
            </p>
            {prompt.missing.map((m) => {
              const id = `secret-${m.context}-${m.name}`;
              return (
                <div className="field" key={keyOf(m)}>
                  <label htmlFor={id}>
                    <code>{m.name}</code> <span className="muted">of context {m.context}</span>
                  </label>
                  <input
                    id={id}
                    data-testid={`sensitive-import-${m.context}-${m.name}`}
                    type="password"
                    autoComplete="new-password"
                    value={values[keyOf(m)] ?? ''}
                    onChange={(e) => setValues({ ...values, [keyOf(m)]: e.target.value })}
                  />
                </div>
              );
            })}
          </>
        )}
      </Dialog>
    </form>
  );
}
