/**
 * The connect picker (C on the canvas with one item selected): connects from the keyboard what a drag connects
 * with the mouse. It lists the other items at this level that take input (type to filter, arrows to move), and,
 * for a processor, the relationship to connect (a group: its output port). Enter connects through the store's
 * `connect`, as a drag does; Escape cancels. The focus goes back to the source item on the canvas.
 */
import { type KeyboardEvent, useCallback, useEffect, useMemo, useState } from 'react';
import { useRelationships } from '../canvas/use-relationships';
import {
  type CanvasNode,
  groupInHandle,
  groupOutHandle,
  INPUT_HANDLE,
  type LevelNode,
  PASS_HANDLE,
  type ProcessorNode,
} from '../flow-mapping';
import { type AppState, useStore } from '../store';
import { Dialog } from './dialogs';
import { useOverlay } from './overlay-state';

/** One way out of the source: a relationship, a group's output port, or a funnel's / port's single output. */
interface SourceHandle {
  handle: string;
  label: string;
}

/** One item (or a group's input port) a connection can go to. */
interface Target {
  key: string;
  node: string;
  handle: string;
  label: string;
  detail: string;
}

function nameOf(node: CanvasNode): string {
  const spec = node.data.spec as { name?: string; text?: string };
  return spec.name ?? node.id;
}

/** The items at this level a connection from `sourceId` may go to (the rules of the canvas's isValidConnection). */
function targetsOf(st: AppState, sourceId: string): Target[] {
  const out: Target[] = [];
  for (const n of st.nodes) {
    if (n.id === sourceId || st.catalog.byType[n.data.spec.type]?.input === 'forbidden') continue;
    out.push({ key: n.id, node: n.id, handle: INPUT_HANDLE, label: nameOf(n), detail: n.data.spec.type });
  }
  for (const n of st.others) {
    if (n.id === sourceId) continue;
    if (n.type === 'funnel')
      out.push({ key: n.id, node: n.id, handle: INPUT_HANDLE, label: `Funnel ${n.id}`, detail: 'funnel' });
    else if (n.type === 'outputPort')
      out.push({ key: n.id, node: n.id, handle: INPUT_HANDLE, label: nameOf(n), detail: 'output port' });
    else if (n.type === 'processGroup')
      for (const p of n.data.spec.inputPorts ?? [])
        out.push({
          key: `${n.id}:${p.id}`,
          node: n.id,
          handle: groupInHandle(p.id),
          label: `${nameOf(n)} › ${p.name ?? p.id}`,
          detail: 'group input port',
        });
  }
  return out;
}

function levelHandles(node: LevelNode): SourceHandle[] {
  if (node.type === 'processGroup')
    return (node.data.spec.outputPorts ?? []).map((p) => ({ handle: groupOutHandle(p.id), label: p.name ?? p.id }));
  if (node.type === 'funnel' || node.type === 'inputPort') return [{ handle: PASS_HANDLE, label: 'out' }];
  return [];
}

function closePicker(sourceId: string) {
  useOverlay.getState().close();
  // Back to the canvas, on the item the connection started from (React Flow makes its nodes focusable), unless
  // another overlay (a picker opened again by a quick C) took the focus before this frame.
  requestAnimationFrame(() => {
    if (useOverlay.getState().overlay) return;
    document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(sourceId)}"]`)?.focus();
  });
}

export function ConnectPicker() {
  const sourceId = useOverlay((s) => (s.overlay?.kind === 'connect' ? s.overlay.sourceId : null));
  const source = useStore((s) =>
    sourceId ? (s.nodes.find((n) => n.id === sourceId) ?? s.others.find((n) => n.id === sourceId)) : undefined,
  );
  useEffect(() => {
    // The source went away (deleted, another level shown): nothing left to connect.
    if (sourceId && !source) useOverlay.getState().close();
  }, [sourceId, source]);
  if (!source) return null;
  return source.type === 'processor' ? (
    <ProcessorSource key={source.id} node={source} />
  ) : (
    <PickerView key={source.id} source={source} handles={levelHandles(source)} />
  );
}

function ProcessorSource({ node }: { node: ProcessorNode }) {
  const relationships = useRelationships(node.data.spec);
  const handles = useMemo(() => relationships.map((r) => ({ handle: r.name, label: r.name })), [relationships]);
  return <PickerView source={node} handles={handles} />;
}

function PickerView({ source, handles }: { source: CanvasNode; handles: SourceHandle[] }) {
  const targets = useMemo(() => targetsOf(useStore.getState(), source.id), [source.id]);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [handle, setHandle] = useState('');
  // The caret goes into the filter as soon as it is drawn (a dynamic router's relationships may come later).
  const focusOnMount = useCallback((el: HTMLInputElement | null) => el?.focus(), []);
  const q = query.trim().toLowerCase();
  const shown = targets.filter((t) => !q || `${t.label} ${t.detail} ${t.key}`.toLowerCase().includes(q));
  const target = shown[Math.min(active, shown.length - 1)];
  const chosen = handles.some((h) => h.handle === handle) ? handle : (handles[0]?.handle ?? '');

  const cancel = () => closePicker(source.id);
  const submit = (e?: { preventDefault(): void }) => {
    e?.preventDefault();
    if (!target || !chosen) return;
    useStore
      .getState()
      .connect({ source: source.id, sourceHandle: chosen, target: target.node, targetHandle: target.handle });
    closePicker(source.id);
  };
  const move = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const step = e.key === 'ArrowDown' ? 1 : -1;
    setActive((i) => Math.max(0, Math.min(shown.length - 1, Math.min(i, shown.length - 1) + step)));
  };
  const optionId = (t: Target) => `connect-target-${t.key}`;

  return (
    <form onSubmit={submit}>
      <Dialog
        title={`Connect “${nameOf(source)}” to…`}
        testId="connect-picker"
        onClose={cancel}
        footer={
          <>
            <button type="button" className="btn" onClick={cancel}>
              Cancel
            </button>
            <button type="submit" className="btn primary" data-testid="connect-submit" disabled={!target || !chosen}>
              Connect
            </button>
          </>
        }
      >
        {handles.length === 0 ? (
          <p className="muted">Nothing can be connected from this item (it has no way out).</p>
        ) : (
          <>
            <div className="field">
              <label htmlFor="connect-filter">To</label>
              <input
                ref={focusOnMount}
                id="connect-filter"
                data-testid="connect-filter"
                role="combobox"
                aria-expanded="true"
                aria-controls="connect-targets"
                aria-activedescendant={target ? optionId(target) : undefined}
                autoComplete="off"
                placeholder="Type to filter; ↑ ↓ to choose"
                value={query}
                onChange={(e) => {
                  setQuery(e.target.value);
                  setActive(0);
                }}
                onKeyDown={move}
              />
            </div>
            <div id="connect-targets" className="connect-targets" role="listbox" aria-label="Connect to">
              {shown.map((t) => (
                <div
                  key={t.key}
                  id={optionId(t)}
                  role="option"
                  aria-selected={t === target}
                  className={t === target ? 'active' : undefined}
                  data-testid={optionId(t)}
                  tabIndex={-1}
                  onMouseDown={(e) => e.preventDefault()}
                  onKeyDown={(e) => (e.key === 'Enter' ? submit(e) : move(e))}
                  onClick={() => setActive(shown.indexOf(t))}
                  onDoubleClick={() => submit()}
                >
                  {t.label} <span className="muted">{t.detail}</span>
                </div>
              ))}
              {shown.length === 0 && <p className="muted">Nothing at this level matches “{query}”.</p>}
            </div>
            {handles.length > 1 ? (
              <div className="field">
                <label htmlFor="connect-handle">
                  {source.type === 'processGroup' ? 'Output port' : 'Relationship'}
                </label>
                <select
                  id="connect-handle"
                  data-testid="connect-relationship"
                  value={chosen}
                  onChange={(e) => setHandle(e.target.value)}
                  onKeyDown={(e) => e.key === 'Enter' && submit(e)}
                >
                  {handles.map((h) => (
                    <option key={h.handle} value={h.handle}>
                      {h.label}
                    </option>
                  ))}
                </select>
              </div>
            ) : (
              source.type === 'processor' && (
                <p className="muted">
                  Relationship: <strong>{handles[0]!.label}</strong>
                </p>
              )
            )}
          </>
        )}
      </Dialog>
    </form>
  );
}
