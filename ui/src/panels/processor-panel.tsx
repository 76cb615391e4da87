/**
 * The config panel of a processor: its settings form (generated from the processor's JSON Schema), schedule,
 * auto-terminated relationships, and start/stop. A running processor is read-only until it is stopped.
 */
import { processorSchema } from '../../../flows/flow-schema';
import type { JsonSchema, ProcessorSpec } from '../api/types';
import { displayState, STATE_LABEL } from '../canvas/node-state';
import { useRelationships } from '../canvas/use-relationships';
import type { ProcessorNode } from '../flow-mapping';
import { formatIssue, issuesUnder } from '../lib/issues';
import { useStore } from '../store';
import { setProcessorRunning } from '../store/session';
import { useCan } from '../store/use-can';
import { DraftScope } from './form/draft-scope';
import { TextControl } from './form/scalar-fields';
import { SchemaForm } from './form/schema-form';
import { InjectInputButton } from './inject-form';
import { FieldScopeProvider } from './parameters/field-scope';

const scheduleSchema = processorSchema.properties.schedule as unknown as JsonSchema;
const nameSchema = processorSchema.properties.name as unknown as JsonSchema;

/** One draft per panel: its fields' pending edits are committed in order (form/draft-scope.tsx). */
export function ProcessorPanel({ node }: { node: ProcessorNode }) {
  const path = useStore((s) => s.path);
  // The parameters and services its fields may reference: those in scope at the level shown.
  return (
    <DraftScope>
      <FieldScopeProvider path={path}>
        <ProcessorPanelBody node={node} />
      </FieldScopeProvider>
    </DraftScope>
  );
}

function ProcessorPanelBody({ node }: { node: ProcessorNode }) {
  const { id } = node;
  const spec = node.data.spec;
  const descriptor = useStore((s) => s.catalog.byType[spec.type]);
  const status = useStore((s) => s.status?.processors[id]);
  const held = useStore((s) => s.status?.stoppedProcessors.includes(id) ?? false);
  const flowRunning = useStore((s) => s.status?.running ?? false);
  const issues = useStore((s) => s.save.issues.processors[id]);
  const relationships = useRelationships(spec);
  const updateProcessor = useStore((s) => s.updateProcessor);

  const state = displayState(status, issues, spec.disabled);
  const running = status?.state === 'running' || status?.state === 'starting';
  const canEdit = useCan('admin');
  const canRun = useCan('operator');
  const readOnly = running || !canEdit;
  const update = (fn: (p: ProcessorSpec) => ProcessorSpec) => updateProcessor(id, fn);
  const terminated = new Set(spec.autoTerminate ?? []);
  const general = (issues ?? []).filter(
    (i) => !['/config', '/schedule', '/name'].some((p) => i.path === p || i.path.startsWith(`${p}/`)),
  );

  return (
    <div data-testid="processor-panel">
      <div className="side-head">
        <div className="kind">Processor · {descriptor?.category ?? 'unknown type'}</div>
        <h2>{spec.name ?? id}</h2>
        <p>
          <code>{spec.type}</code> · id <code>{id}</code> · <span data-testid="panel-state">{STATE_LABEL[state]}</span>
        </p>
        {descriptor && <p style={{ marginTop: 6 }}>{descriptor.description}</p>}
        <div className="side-actions">
          {!canRun ? null : running ? (
            <button
              type="button"
              className="btn"
              data-testid="processor-stop"
              onClick={() => void setProcessorRunning(id, false)}
            >
              ■ Stop
            </button>
          ) : (
            <>
              <button
                type="button"
                className="btn run"
                data-testid="processor-start"
                disabled={!flowRunning || state === 'invalid' || spec.disabled === true}
                title={flowRunning ? 'Start this processor' : 'Start the flow first'}
                onClick={() => void setProcessorRunning(id, true)}
              >
                ▶ Start
              </button>
              {!held && (
                <button
                  type="button"
                  className="btn"
                  data-testid="processor-hold"
                  title="Keep this processor stopped when the flow starts"
                  onClick={() => void setProcessorRunning(id, false)}
                >
                  ■ Keep stopped
                </button>
              )}
            </>
          )}
          {canRun && descriptor?.input !== 'forbidden' && <InjectInputButton processorId={id} />}
          <span className="spacer" />
          <button
            type="button"
            className="btn danger"
            data-testid="processor-delete"
            hidden={!canEdit}
            disabled={readOnly}
            onClick={() => {
              useStore.getState().select({ nodes: [id] });
              useStore.getState().deleteSelection();
            }}
          >
            Delete
          </button>
        </div>
      </div>
      {readOnly && (
        <div className="banner info" data-testid="readonly-banner">
          {canEdit
            ? 'This processor is running: its settings are read-only until it is stopped.'
            : 'Your role may not edit flows: the settings are read-only.'}
        </div>
      )}
      {held && !running && (
        <div className="banner info">Kept stopped: it stays stopped when the flow starts, until you start it.</div>
      )}
      {general.length > 0 && (
        <div className="banner warn" data-testid="processor-issues">
          <strong>Invalid:</strong>
          <ul>
            {general.map((i) => (
              <li key={i.fullPath + i.message}>{formatIssue(i)}</li>
            ))}
          </ul>
        </div>
      )}
      {bulletinsOf(status?.bulletins)}
      <section className="side-section">
        <h3>Settings</h3>
        <div className="field">
          <label htmlFor="field-name">Name</label>
          <TextControl
            id="field-name"
            testId="field-name"
            schema={nameSchema}
            value={spec.name ?? ''}
            readOnly={readOnly}
            onChange={(v) => update((p) => ({ ...p, name: String(v ?? '') || undefined }))}
          />
        </div>
        {descriptor ? (
          <SchemaForm
            name="config"
            schema={descriptor.config}
            value={spec.config as Record<string, unknown> | undefined}
            issues={issuesUnder(issues, '/config')}
            readOnly={readOnly}
            onChange={(change) => update((p) => ({ ...p, config: change(p.config ?? {}) }))}
          />
        ) : (
          <p className="error-text">Unknown processor type “{spec.type}”.</p>
        )}
      </section>
      <section className="side-section">
        <h3>Relationships</h3>
        <p className="muted" style={{ margin: '0 0 8px' }}>
          Tick a relationship to auto-terminate it (its FlowFiles are dropped).
        </p>
        {relationships.map((r) => (
          <div className="field checkbox" key={r.name} style={{ marginBottom: 8 }}>
            <label>
              <input
                type="checkbox"
                data-testid={`autoterminate-${r.name}`}
                checked={terminated.has(r.name)}
                disabled={readOnly}
                onChange={(e) =>
                  update((p) => {
                    const set = new Set(p.autoTerminate ?? []);
                    if (e.target.checked) set.add(r.name);
                    else set.delete(r.name);
                    return { ...p, autoTerminate: [...set] };
                  })
                }
              />
              <span>
                <strong>{r.name}</strong> <span className="muted">— {r.description}</span>
              </span>
            </label>
          </div>
        ))}
      </section>
      <section className="side-section">
        <h3>Scheduling</h3>
        <SchemaForm
          name="schedule"
          schema={scheduleSchema}
          value={spec.schedule as Record<string, unknown> | undefined}
          issues={issuesUnder(issues, '/schedule')}
          readOnly={readOnly}
          onChange={(change) => update((p) => ({ ...p, schedule: change(p.schedule ?? {}) }))}
        />
        <div className="field checkbox">
          <label>
            <input
              type="checkbox"
              checked={spec.disabled === true}
              disabled={readOnly}
              onChange={(e) => update((p) => ({ ...p, disabled: e.target.checked || undefined }))}
            />
            Disabled (never started)
          </label>
        </div>
      </section>
    </div>
  );
}

function bulletinsOf(bulletins: readonly { time: number; level: string; message: string }[] | undefined) {
  if (!bulletins || bulletins.length === 0) return null;
  return (
    <div className="banner warn" data-testid="processor-bulletins">
      <strong>Latest bulletins</strong>
      <ul>
        {bulletins.slice(-5).map((b) => (
          <li key={`${b.time}-${b.message}`}>
            {new Date(b.time).toLocaleTimeString()} {b.level}: {b.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
