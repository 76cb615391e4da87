/** Side panels of the level nodes that have one: a label (text, colour) and a process group (export, start / stop). */
import type { GroupNode, LabelNode } from '../flow-mapping';
import { useStore } from '../store';
import { exportGroup, setGroupRunning } from '../store/group-actions';
import { useCan } from '../store/use-can';
import { useDraft } from './form/use-draft';
import { LevelParametersSection } from './parameters/level-section';

export const LABEL_COLORS = ['#fde68a', '#bbf7d0', '#bfdbfe', '#fecaca', '#e9d5ff', '#e5e7eb'];
const HEX = /^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;

export function LabelPanel({ node }: { node: LabelNode }) {
  const { id } = node;
  const spec = node.data.spec;
  const canEdit = useCan('admin');
  const update = useStore((s) => s.updateLabel);
  const text = useDraft(spec.text, (t) => update(id, { text: t }));
  const color = useDraft(spec.color ?? '#fde68a', (c) => {
    if (HEX.test(c.trim())) update(id, { color: c.trim() });
  });
  const valid = HEX.test(color.text.trim());
  return (
    <div data-testid="label-panel">
      <div className="side-head">
        <div className="kind">Label</div>
        <h2>{id}</h2>
        <p>
          id <code>{id}</code> · {Math.round(spec.size?.width ?? 220)} × {Math.round(spec.size?.height ?? 80)}
        </p>
      </div>
      <section className="side-section">
        <div className="field">
          <label htmlFor="label-text">Text</label>
          <textarea
            id="label-text"
            data-testid="label-text"
            rows={5}
            readOnly={!canEdit}
            value={text.text}
            onFocus={text.onFocus}
            onBlur={text.onBlur}
            onChange={(e) => text.onChange(e.target.value)}
          />
        </div>
        <div className="field">
          <div className="label">Colour</div>
          <div className="label-swatches">
            {LABEL_COLORS.map((c) => (
              <button
                key={c}
                type="button"
                className={`label-swatch${(spec.color ?? '#fde68a').toLowerCase() === c ? ' chosen' : ''}`}
                data-testid={`label-color-${c.slice(1)}`}
                title={c}
                disabled={!canEdit}
                style={{ background: c }}
                onClick={() => update(id, { color: c })}
              />
            ))}
          </div>
          <input
            aria-label="Colour (hex)"
            data-testid="label-color"
            className={valid ? undefined : 'invalid'}
            readOnly={!canEdit}
            value={color.text}
            onFocus={color.onFocus}
            onBlur={color.onBlur}
            onChange={(e) => color.onChange(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
          />
          {!valid && <div className="help error-text">A colour is #rgb, #rrggbb or #rrggbbaa.</div>}
        </div>
      </section>
    </div>
  );
}

export function GroupPanel({ node }: { node: GroupNode }) {
  const { id } = node;
  const spec = node.data.spec;
  const canRun = useCan('operator');
  const path = useStore((s) => s.path);
  const flowRunning = useStore((s) => s.status?.running ?? false);
  const why = flowRunning ? undefined : 'The flow is stopped: start it first';
  return (
    <div data-testid="group-panel">
      <div className="side-head">
        <div className="kind">Process group</div>
        <h2>{spec.name ?? id}</h2>
        <p>
          id <code>{[...path, id].join('/')}</code> · {(spec.processors ?? []).length} processors ·{' '}
          {(spec.groups ?? []).length} groups · {(spec.inputPorts ?? []).length} in / {(spec.outputPorts ?? []).length}{' '}
          out ports
        </p>
        {spec.description && <p style={{ marginTop: 6 }}>{spec.description}</p>}
        <div className="side-actions">
          {canRun && (
            <>
              <button
                type="button"
                className="btn run"
                data-testid="group-start"
                disabled={!flowRunning}
                title={why ?? 'Start every processor of the group (and of the groups in it)'}
                onClick={() => void setGroupRunning(id, true)}
              >
                ▶ Start
              </button>
              <button
                type="button"
                className="btn"
                data-testid="group-stop"
                disabled={!flowRunning}
                title={why ?? 'Stop every processor of the group (and of the groups in it)'}
                onClick={() => void setGroupRunning(id, false)}
              >
                ■ Stop
              </button>
            </>
          )}
          <button
            type="button"
            className="btn"
            data-testid="group-open"
            onClick={() => useStore.getState().enterGroup(id)}
          >
            Open
          </button>
          <button
            type="button"
            className="btn"
            data-testid="group-copy"
            onClick={() => useStore.getState().copySelection()}
          >
            Copy
          </button>
          <button
            type="button"
            className="btn"
            data-testid="group-export"
            title="Download the group as a flow file of its own"
            onClick={() => exportGroup(id)}
          >
            ⇩ Export
          </button>
        </div>
      </div>
      <LevelParametersSection path={[...path, id]} />
    </div>
  );
}
