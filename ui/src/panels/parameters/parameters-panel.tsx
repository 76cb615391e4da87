/**
 * The Parameters page of the side panel: the flow's parameter contexts, each with its name, what it inherits
 * (in order), and its parameters (name, value, sensitive, description, and the processors that reference it).
 * Every change is a flow edit through the store (autosaved, undoable). Sensitive values are write-only: the
 * page says whether one is set, takes a new one in a password field and can clear it, and never shows one.
 */
import { useState } from 'react';
import type { ParameterContextSpec, ParameterSpec } from '../../../../flows/flow-schema';
import type { Flow } from '../../api/types';
import { inheritable, parameterReferrers, type Referrer } from '../../lib/parameters';
import {
  addContext,
  addParameter,
  removeContext,
  removeParameter,
  renameContext,
  setSensitive,
  setSensitiveValue,
  updateContext,
  updateParameter,
} from '../../lib/parameters-edit';
import { useStore } from '../../store';
import { useCan } from '../../store/use-can';
import { DraftScope } from '../form/draft-scope';
import { useDraft } from '../form/use-draft';
import { closeSideView, selectProcessorAt } from './side-view';

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const NAME = /^[A-Za-z0-9._ -]{1,255}$/;

const edit = (fn: (f: Flow) => Flow) => useStore.getState().updateFlow(fn);

export function ParametersPanel() {
  return (
    <DraftScope>
      <ParametersBody />
    </DraftScope>
  );
}

function ParametersBody() {
  const doc = useStore((s) => s.doc);
  const canEdit = useCan('admin');
  const [newId, setNewId] = useState('');
  if (!doc) return null;
  const contexts = doc.parameterContexts ?? [];
  const taken = new Set(contexts.map((c) => c.id));
  const idProblem =
    newId === '' ? '' : !ID.test(newId) ? 'letters, digits, "_" and "-"' : taken.has(newId) ? 'taken' : '';
  const add = () => {
    if (newId === '' || idProblem) return;
    edit((f) => addContext(f, newId));
    setNewId('');
  };
  return (
    <div data-testid="parameters-panel" className="param-panel">
      <div className="side-head">
        <div className="kind">Flow · parameters</div>
        <h2>Parameter contexts</h2>
        <p>
          Reference a parameter from any setting as <code>#{'{name}'}</code>. The flow and each group bind a context
          (their panels); a group without one uses its parent’s.
        </p>
        <div className="side-actions">
          <button type="button" className="btn" data-testid="side-view-back" onClick={closeSideView}>
            ← Back
          </button>
        </div>
      </div>
      {contexts.length === 0 && (
        <section className="side-section muted">No parameter context yet: add one below.</section>
      )}
      {contexts.map((c) => (
        <ContextCard key={c.id} flow={doc} context={c} readOnly={!canEdit} />
      ))}
      {canEdit && (
        <section className="side-section">
          <h3>New context</h3>
          <div className="param-add">
            <input
              aria-label="New context id"
              data-testid="param-context-new-id"
              placeholder="id, e.g. dev"
              value={newId}
              className={idProblem ? 'invalid' : undefined}
              onChange={(e) => setNewId(e.target.value.trim())}
              onKeyDown={(e) => e.key === 'Enter' && add()}
            />
            <button
              type="button"
              className="btn"
              data-testid="param-context-add"
              disabled={newId === '' || idProblem !== ''}
              onClick={add}
            >
              Add context
            </button>
          </div>
          {idProblem && <div className="help error-text">Id: {idProblem}.</div>}
        </section>
      )}
    </div>
  );
}

function ContextCard({ flow, context, readOnly }: { flow: Flow; context: ParameterContextSpec; readOnly: boolean }) {
  const cid = context.id;
  const contexts = flow.parameterContexts ?? [];
  const id = useDraft(cid, (next) => {
    const clean = next.trim();
    if (ID.test(clean) && !contexts.some((c) => c.id === clean)) edit((f) => renameContext(f, cid, clean));
  });
  const name = useDraft(context.name ?? '', (next) =>
    edit((f) =>
      updateContext(f, cid, (c) => {
        const { name: _old, ...rest } = c;
        return next.trim() ? { ...rest, name: next.trim() } : rest;
      }),
    ),
  );
  const inherits = context.inherits ?? [];
  const candidates = inheritable(flow, cid);
  const setInherits = (list: string[]) =>
    edit((f) =>
      updateContext(f, cid, (c) => {
        const { inherits: _old, ...rest } = c;
        return list.length > 0 ? { ...rest, inherits: list } : rest;
      }),
    );
  const [newName, setNewName] = useState('');
  const names = new Set((context.parameters ?? []).map((p) => p.name));
  const nameProblem =
    newName === ''
      ? ''
      : !NAME.test(newName)
        ? 'letters, digits, ".", "_", "-" and spaces'
        : names.has(newName)
          ? 'taken'
          : '';
  const addParam = () => {
    if (newName === '' || nameProblem) return;
    edit((f) => addParameter(f, cid, { name: newName, value: '' }));
    setNewName('');
  };
  const idBad = id.text.trim() !== cid && (!ID.test(id.text.trim()) || contexts.some((c) => c.id === id.text.trim()));

  return (
    <section className="side-section param-context" data-testid={`param-context-${cid}`}>
      <h3>
        Context <code>{cid}</code>
        {flow.parameterContext === cid && <span className="param-tag">bound to the flow</span>}
      </h3>
      <div className="param-grid">
        <label htmlFor={`ctx-${cid}-id`}>Id</label>
        <input
          id={`ctx-${cid}-id`}
          data-testid={`param-context-${cid}-id`}
          value={id.text}
          readOnly={readOnly}
          className={idBad ? 'invalid' : undefined}
          title="Renaming updates the bindings and inherits that name it"
          onFocus={id.onFocus}
          onBlur={id.onBlur}
          onChange={(e) => id.onChange(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && id.flush()}
        />
        <label htmlFor={`ctx-${cid}-name`}>Name</label>
        <input
          id={`ctx-${cid}-name`}
          data-testid={`param-context-${cid}-name`}
          value={name.text}
          readOnly={readOnly}
          placeholder="for people, e.g. Production"
          onFocus={name.onFocus}
          onBlur={name.onBlur}
          onChange={(e) => name.onChange(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && name.flush()}
        />
      </div>
      {idBad && <div className="help error-text">An id is letters, digits, "_" and "-", unique among contexts.</div>}

      <div className="param-sub">
        <div className="param-sub-title">Inherits (in order: the first that has a name wins)</div>
        {inherits.length === 0 && <div className="muted">Nothing.</div>}
        <ol className="param-inherits" data-testid={`param-context-${cid}-inherits`}>
          {inherits.map((parent, i) => (
            <li key={parent}>
              <code>{parent}</code>
              {!readOnly && (
                <span className="param-row-actions">
                  <button
                    type="button"
                    className="btn ghost small"
                    aria-label={`Move ${parent} up`}
                    disabled={i === 0}
                    onClick={() => setInherits(move(inherits, i, i - 1))}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    className="btn ghost small"
                    aria-label={`Move ${parent} down`}
                    disabled={i === inherits.length - 1}
                    onClick={() => setInherits(move(inherits, i, i + 1))}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    className="btn ghost small"
                    aria-label={`Stop inheriting ${parent}`}
                    onClick={() => setInherits(inherits.filter((x) => x !== parent))}
                  >
                    ✕
                  </button>
                </span>
              )}
            </li>
          ))}
        </ol>
        {!readOnly && candidates.length > 0 && (
          <select
            aria-label={`Inherit another context into ${cid}`}
            data-testid={`param-context-${cid}-inherit`}
            value=""
            onChange={(e) => e.target.value && setInherits([...inherits, e.target.value])}
          >
            <option value="">Inherit…</option>
            {candidates.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        )}
      </div>

      <div className="param-sub">
        <div className="param-sub-title">Parameters</div>
        {(context.parameters ?? []).length === 0 && <div className="muted">None yet.</div>}
        {(context.parameters ?? []).map((p) => (
          <ParameterRow key={p.name} flow={flow} contextId={cid} parameter={p} readOnly={readOnly} taken={names} />
        ))}
        {!readOnly && (
          <>
            <div className="param-add">
              <input
                aria-label={`New parameter name in ${cid}`}
                data-testid={`param-${cid}-new-name`}
                placeholder="name, e.g. broker.url"
                value={newName}
                className={nameProblem ? 'invalid' : undefined}
                onChange={(e) => setNewName(e.target.value)}
                onKeyDown={(e) => e.key === 'Enter' && addParam()}
              />
              <button
                type="button"
                className="btn"
                data-testid={`param-${cid}-add`}
                disabled={newName === '' || nameProblem !== ''}
                onClick={addParam}
              >
                Add parameter
              </button>
            </div>
            {nameProblem && <div className="help error-text">Name: {nameProblem}.</div>}
          </>
        )}
      </div>
      {!readOnly && (
        <div className="side-actions">
          <span className="spacer" />
          <button
            type="button"
            className="btn danger"
            data-testid={`param-context-${cid}-delete`}
            title="Removes the context and the bindings and inherits that name it (undo brings it back)"
            onClick={() => edit((f) => removeContext(f, cid))}
          >
            Delete context
          </button>
        </div>
      )}
    </section>
  );
}

function move<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item!);
  return out;
}

function ParameterRow({
  flow,
  contextId,
  parameter,
  readOnly,
  taken,
}: {
  flow: Flow;
  contextId: string;
  parameter: ParameterSpec;
  readOnly: boolean;
  taken: ReadonlySet<string>;
}) {
  const pname = parameter.name;
  const tid = `param-${contextId}-${pname}`;
  const update = (fn: (p: ParameterSpec) => ParameterSpec) => edit((f) => updateParameter(f, contextId, pname, fn));
  const name = useDraft(pname, (next) => {
    const clean = next.trim();
    if (clean !== pname && NAME.test(clean) && !taken.has(clean)) update((p) => ({ ...p, name: clean }));
  });
  const value = useDraft(typeof parameter.value === 'string' ? parameter.value : '', (next) =>
    update((p) => ({ ...p, value: next })),
  );
  const description = useDraft(parameter.description ?? '', (next) =>
    update((p) => {
      const { description: _old, ...rest } = p;
      return next.trim() ? { ...rest, description: next } : rest;
    }),
  );
  const referrers = parameterReferrers(flow, contextId, pname);
  const sensitive = parameter.sensitive === true;
  return (
    <div className="param-row" data-testid={tid}>
      <div className="param-grid">
        <label htmlFor={`${tid}-name`}>Name</label>
        <input
          id={`${tid}-name`}
          data-testid={`${tid}-name`}
          value={name.text}
          readOnly={readOnly}
          title="Renaming does not change the references to it"
          onFocus={name.onFocus}
          onBlur={name.onBlur}
          onChange={(e) => name.onChange(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && name.flush()}
        />
        <label htmlFor={`${tid}-value`}>Value</label>
        {sensitive ? (
          <SensitiveValue contextId={contextId} parameter={parameter} readOnly={readOnly} tid={tid} />
        ) : (
          <input
            id={`${tid}-value`}
            data-testid={`${tid}-value`}
            value={value.text}
            readOnly={readOnly}
            onFocus={value.onFocus}
            onBlur={value.onBlur}
            onChange={(e) => value.onChange(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && value.flush()}
          />
        )}
        <label htmlFor={`${tid}-description`}>Description</label>
        <input
          id={`${tid}-description`}
          data-testid={`${tid}-description`}
          value={description.text}
          readOnly={readOnly}
          onFocus={description.onFocus}
          onBlur={description.onBlur}
          onChange={(e) => description.onChange(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && description.flush()}
        />
      </div>
      <div className="param-row-foot">
        <label className="param-check">
          <input
            type="checkbox"
            data-testid={`${tid}-sensitive`}
            checked={sensitive}
            disabled={readOnly}
            title={
              sensitive
                ? 'Make it a plain parameter (its secret is dropped)'
                : 'Make it sensitive (its value is dropped: set the secret again)'
            }
            onChange={(e) => edit((f) => setSensitive(f, contextId, pname, e.target.checked))}
          />
          Sensitive
        </label>
        <span className="spacer" />
        {!readOnly && (
          <button
            type="button"
            className="btn ghost small danger"
            data-testid={`${tid}-delete`}
            onClick={() => edit((f) => removeParameter(f, contextId, pname))}
          >
            Delete
          </button>
        )}
      </div>
      <ReferencedBy referrers={referrers} testId={`${tid}-refs`} />
    </div>
  );
}

/** Write-only: "set" / "not set", a password field for a new value, and Clear. */
function SensitiveValue({
  contextId,
  parameter,
  readOnly,
  tid,
}: {
  contextId: string;
  parameter: ParameterSpec;
  readOnly: boolean;
  tid: string;
}) {
  const [secret, setSecret] = useState('');
  const pending = typeof parameter.value === 'string';
  const isSet = pending || (parameter.value === undefined && parameter.set === true);
  const submit = () => {
    if (!secret) return;
    edit((f) => setSensitiveValue(f, contextId, parameter.name, secret));
    setSecret('');
  };
  return (
    <div className="param-secret">
      <span className={`param-set ${isSet ? 'is-set' : 'not-set'}`} data-testid={`${tid}-set`}>
        {isSet ? (pending ? 'set (saving)' : 'set') : 'not set'}
      </span>
      {!readOnly && (
        <>
          <input
            id={`${tid}-value`}
            data-testid={`${tid}-secret`}
            type="password"
            autoComplete="new-password"
            placeholder={isSet ? 'new value' : 'value'}
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && submit()}
          />
          <button
            type="button"
            className="btn small"
            data-testid={`${tid}-secret-set`}
            disabled={!secret}
            onClick={submit}
          >
            Set
          </button>
          <button
            type="button"
            className="btn ghost small"
            data-testid={`${tid}-secret-clear`}
            disabled={!isSet}
            onClick={() => edit((f) => setSensitiveValue(f, contextId, parameter.name, null))}
          >
            Clear
          </button>
        </>
      )}
    </div>
  );
}

export function ReferencedBy({ referrers, testId }: { referrers: readonly Referrer[]; testId: string }) {
  return (
    <div className="param-refs" data-testid={testId}>
      <span className="muted">Referenced by:</span>{' '}
      {referrers.length === 0 ? (
        <span className="muted">nothing</span>
      ) : (
        referrers.map((r) => (
          <button
            key={[...r.path, r.id].join('/')}
            type="button"
            className="btn ghost small param-ref"
            data-testid={`${testId}-${[...r.path, r.id].join('__')}`}
            title={`Select ${r.name}${r.path.length > 0 ? ` in ${r.path.join('/')}` : ''}`}
            onClick={() => selectProcessorAt(r.path, r.id)}
          >
            {r.path.length > 0 ? `${r.path.join('/')}/` : ''}
            {r.name}
          </button>
        ))
      )}
    </div>
  );
}
