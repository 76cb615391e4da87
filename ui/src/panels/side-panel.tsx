/**
 * The right-hand panel: the selected processor's or connection's config, or the flow's overview. Its button
 * collapses it to a thin rail (the canvas takes the room) and back; the choice is remembered in localStorage.
 */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatIssue } from '../lib/issues';
import { useStore } from '../store';
import { flushSave } from '../store/autosave';
import { deleteOpenFlow } from '../store/session';
import type { SideView } from '../store/ui-slice';
import { useCan } from '../store/use-can';
import { ConnectionPanel } from './connection-panel';
import { ConfirmDialog } from './dialogs';
import { GroupPanel, LabelPanel } from './level-node-panels';
import { LevelParametersSection } from './parameters/level-section';
import { ParametersPanel } from './parameters/parameters-panel';
import { SensitiveImportDialog } from './parameters/sensitive-import-dialog';
import { ProcessorPanel } from './processor-panel';
import { ServicePanel, ServicesPanel } from './services/services-panel';

const COLLAPSED_KEY = 'sluice.sidePanel';

function useCollapsed(): [boolean, (collapsed: boolean) => void] {
  const [collapsed, setCollapsed] = useState(() => {
    try {
      return localStorage.getItem(COLLAPSED_KEY) === 'collapsed';
    } catch {
      return false;
    }
  });
  const set = (next: boolean) => {
    try {
      if (next) localStorage.setItem(COLLAPSED_KEY, 'collapsed');
      else localStorage.removeItem(COLLAPSED_KEY);
    } catch {
      // storage blocked: remembered until the page is reloaded
    }
    setCollapsed(next);
  };
  return [collapsed, set];
}

export function SidePanel() {
  const [collapsed, setCollapsed] = useCollapsed();
  const selectedNodes = useStore(useShallow((s) => s.nodes.filter((n) => n.selected)));
  const selectedEdges = useStore(useShallow((s) => s.edges.filter((e) => e.selected)));
  const selectedOthers = useStore(useShallow((s) => s.others.filter((n) => n.selected)));
  const hasFlow = useStore((s) => s.meta !== null);

  let content: React.ReactNode;
  const one = selectedNodes.length + selectedEdges.length + selectedOthers.length === 1 ? selectedOthers[0] : undefined;
  if (!hasFlow) content = null;
  else if (one?.type === 'label') content = <LabelPanel key={one.id} node={one} />;
  else if (one?.type === 'processGroup') content = <GroupPanel key={one.id} node={one} />;
  else if (selectedNodes.length === 1 && selectedEdges.length === 0)
    content = <ProcessorPanel key={selectedNodes[0]!.id} node={selectedNodes[0]!} />;
  else if (selectedEdges.length === 1 && selectedNodes.length === 0)
    content = <ConnectionPanel key={selectedEdges[0]!.id} edge={selectedEdges[0]!} />;
  else if (selectedNodes.length + selectedEdges.length + selectedOthers.length > 1)
    content = (
      <MultiSelection
        nodes={selectedNodes.length}
        edges={selectedEdges.length}
        groups={selectedOthers.filter((n) => n.type === 'processGroup').length}
      />
    );
  else content = <FlowOverview />;

  // A new selection starts at the top of its panel, not at the scroll position of the previous one.
  const shown =
    selectedNodes.length + selectedEdges.length + selectedOthers.length === 1
      ? (selectedNodes[0] ?? selectedEdges[0] ?? selectedOthers[0])!.id
      : '';
  // A page opened from this selection's panel (parameters, services) replaces it until "Back".
  const sideView = useStore((s) => s.sideView);
  const page =
    hasFlow &&
    sideView &&
    sideView.for === shown &&
    selectedNodes.length + selectedEdges.length + selectedOthers.length <= 1
      ? sideView
      : null;
  if (page) content = <SideViewPage view={page} />;
  // The toggle stays the same element either way, so the keyboard focus stays on it.
  return (
    <aside className={`side${collapsed ? ' collapsed' : ''}`} data-testid="side-panel" aria-label="Side panel">
      <button
        type="button"
        className="btn ghost icon side-toggle"
        data-testid="side-panel-toggle"
        aria-expanded={!collapsed}
        aria-controls="side-body"
        aria-label={collapsed ? 'Show the side panel' : 'Hide the side panel'}
        title={collapsed ? 'Show the side panel' : 'Hide the side panel (the canvas takes the room)'}
        onClick={() => setCollapsed(!collapsed)}
      >
        {collapsed ? '‹' : '›'}
      </button>
      {!collapsed && (
        <div className="side-body" id="side-body" key={page ? `${shown}:${page.kind}` : shown}>
          {content}
        </div>
      )}
      <SensitiveImportDialog />
    </aside>
  );
}

function SideViewPage({ view }: { view: SideView }) {
  if (view.kind === 'parameters') return <ParametersPanel />;
  if (view.kind === 'services') return <ServicesPanel path={view.path} />;
  return <ServicePanel key={`${view.path.join('/')}/${view.id}`} path={view.path} id={view.id} />;
}

function MultiSelection({ nodes, edges, groups }: { nodes: number; edges: number; groups: number }) {
  const canEdit = useCan('admin');
  return (
    <div className="side-head">
      <div className="kind">Selection</div>
      <h2>
        {nodes} processors, {edges} connections{groups > 0 ? `, ${groups} groups` : ''}
      </h2>
      <p>Delete removes them; Ctrl+C / Ctrl+V copies them with their connections.</p>
      <div className="side-actions">
        <button type="button" className="btn" onClick={() => useStore.getState().copySelection()}>
          Copy
        </button>
        <button
          type="button"
          className="btn danger"
          hidden={!canEdit}
          onClick={() => useStore.getState().deleteSelection()}
        >
          Delete
        </button>
      </div>
    </div>
  );
}

function FlowOverview() {
  const meta = useStore((s) => s.meta);
  const counts = useStore(useShallow((s) => [s.nodes.length, s.edges.length]));
  const issues = useStore((s) => s.save.issues);
  const status = useStore((s) => s.status);
  const canEdit = useCan('admin');
  const [confirming, setConfirming] = useState(false);
  if (!meta) return null;
  const all = [...issues.flow, ...Object.values(issues.processors).flat(), ...Object.values(issues.connections).flat()];
  const totals = status ? Object.values(status.connections).reduce((n, c) => n + c.count, 0) : 0;
  return (
    <div data-testid="flow-panel">
      <div className="side-head">
        <div className="kind">Flow</div>
        <h2>{meta.name}</h2>
        <p>
          id <code>{meta.id}</code> · {counts[0]} processors · {counts[1]} connections
        </p>
        {meta.description && <p style={{ marginTop: 6 }}>{meta.description}</p>}
        <div className="side-actions">
          <span className="spacer" />
          {canEdit && (
            <button type="button" className="btn danger" data-testid="flow-delete" onClick={() => setConfirming(true)}>
              Delete flow
            </button>
          )}
        </div>
      </div>
      {confirming && (
        <ConfirmDialog
          title={`Delete "${meta.name}"?`}
          text="The flow is stopped and removed from the server, with every FlowFile waiting in its queues (each recorded as a DROP). Export it first to keep a copy; this cannot be undone."
          action="Delete flow"
          onConfirm={() => {
            setConfirming(false);
            void flushSave().then(deleteOpenFlow);
          }}
          onCancel={() => setConfirming(false)}
        />
      )}
      {all.length > 0 && (
        <div className="banner warn" data-testid="flow-issues">
          <strong>
            {all.length === 1 ? '1 problem keeps' : `${all.length} problems keep`} this flow from starting:
          </strong>
          <ul>
            {all.map((i) => (
              <li key={i.fullPath + i.message}>{formatIssue({ path: i.fullPath, message: i.message })}</li>
            ))}
          </ul>
        </div>
      )}
      <LevelParametersSection path={[]} />
      <section className="side-section">
        <h3>Live</h3>
        <p style={{ margin: 0 }}>
          {status?.running ? 'Running' : 'Stopped'} · {totals} FlowFiles queued
        </p>
      </section>
      <section className="side-section muted">
        <h3>Tips</h3>
        <ul style={{ margin: 0, paddingLeft: 16 }}>
          <li>Drag processors from the palette; drag from a relationship to a processor to connect.</li>
          <li>Click a processor or connection to configure it; click a queue label to inspect it.</li>
          <li>Shift-drag to select several; Delete, Ctrl+C/V, Ctrl+Z / Ctrl+Shift+Z.</li>
          <li>Drop a flow .json file on the canvas to import it.</li>
          <li>Press ? for every keyboard shortcut.</li>
        </ul>
      </section>
    </div>
  );
}
