/**
 * The queue inspector (bottom drawer): the FlowFiles waiting in a connection with their attributes, size and
 * age; one FlowFile's detail (flowfile-detail.tsx), which stays open, marked consumed, when a processor takes
 * it; and "Empty queue" after a confirmation. The list reloads when the live queue depth changes. A second tab
 * shows the connection's quarantine (quarantine/): it opens first when FlowFiles were set aside there.
 */
import { useCallback, useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { api } from '../api/client';
import type { QueuedFlowFile } from '../api/types';
import { formatAge, formatBytes } from '../lib/format';
import { useStore } from '../store';
import { useCan } from '../store/use-can';
import { ConfirmDialog } from './dialogs';
import { FlowFileDetail } from './flowfile-detail';
import { type InspectorTab, InspectorTabs } from './quarantine/inspector-tabs';
import { QuarantineSection } from './quarantine/quarantine-section';
import { afterList, markGone, type QueueSelection, selectFlowFile } from './queue-selection';
import { useLiveConnectionList } from './use-live-connection-list';

const LIMIT = 100;

export function QueueInspector({ connectionId }: { connectionId: string }) {
  const flowId = useStore((s) => s.meta?.id ?? '');
  const edge = useStore((s) => s.edges.find((e) => e.id === connectionId));
  const ends = useStore(
    useShallow((s) =>
      edge ? [edge.source, edge.target].map((id) => s.nodes.find((n) => n.id === id)?.data.spec.name ?? id) : [],
    ),
  );
  const liveCount = useStore((s) => s.status?.connections[connectionId]?.count);
  const [selected, setSelected] = useState<QueueSelection | null>(null);
  const [confirming, setConfirming] = useState(false);
  const canRun = useCan('operator');
  const canRead = useCan('admin');
  const quarantined = useStore((s) => s.status?.connections[connectionId]?.quarantined ?? 0);
  // Poison FlowFiles set aside are what needs a decision: the inspector opens on them when there are any.
  const [tab, setTab] = useState<InspectorTab>(() =>
    (useStore.getState().status?.connections[connectionId]?.quarantined ?? 0) > 0 ? 'quarantine' : 'queue',
  );

  // The list reloads as the depth changes.
  const fetchQueue = useCallback(
    async () => (await api.queue(flowId, connectionId, LIMIT)).flowFiles,
    [flowId, connectionId],
  );
  const { data: items, error, reload: load } = useLiveConnectionList(fetchQueue, liveCount);
  // Each list answer updates the open FlowFile (or marks it gone); a click's own check is settled by open().
  useEffect(() => setSelected((s) => (s && s.presence !== 'checking' ? afterList(s, items) : s)), [items]);

  const open = async (f: QueuedFlowFile) => {
    setSelected(selectFlowFile(f));
    const fresh = await load();
    setSelected((s) => (s?.flowFile.id === f.id && s.presence === 'checking' ? afterList(s, fresh) : s));
  };

  const empty = async () => {
    setConfirming(false);
    try {
      const { dropped } = await api.emptyQueue(flowId, connectionId);
      useStore.getState().notify(`Dropped ${dropped} FlowFile${dropped === 1 ? '' : 's'} from the queue.`);
      setSelected(null);
    } catch (err) {
      useStore.getState().notify(`Emptying the queue failed: ${(err as Error).message}`, 'error');
    }
    await load();
  };

  const heading = (
    <h2>
      Queue · {edge ? `${ends[0]} → ${ends[1]}` : connectionId}
      {edge?.data && <span className="muted"> ({edge.data.spec.relationships.join(', ')})</span>}
    </h2>
  );
  const tabs = (
    <InspectorTabs tab={tab} queued={liveCount ?? items?.length ?? 0} quarantined={quarantined} onTab={setTab} />
  );
  if (tab === 'quarantine')
    return (
      <QuarantineSection
        flowId={flowId}
        connectionId={connectionId}
        heading={
          <>
            {heading}
            {tabs}
          </>
        }
      />
    );
  return (
    <>
      <div className="drawer-head">
        {heading}
        {tabs}
        <span className="muted" data-testid="queue-total">
          {liveCount ?? items?.length ?? 0} waiting
          {items && (liveCount ?? 0) > items.length ? `, first ${items.length} shown` : ''}
        </span>
        <span className="spacer" />
        <button type="button" className="btn small" onClick={() => void load()}>
          ↻ Refresh
        </button>
        <button
          type="button"
          className="btn small danger"
          data-testid="empty-queue"
          hidden={!canRun}
          disabled={!items || items.length === 0}
          onClick={() => setConfirming(true)}
        >
          Empty queue
        </button>
        <button
          type="button"
          className="btn small ghost"
          aria-label="Close"
          onClick={() => useStore.getState().openDrawer(null)}
        >
          ×
        </button>
      </div>
      <div className="drawer-body queue">
        <div className="list">
          {error && (
            <p className="error-text" style={{ padding: '0 12px' }}>
              {error}
            </p>
          )}
          {items && items.length === 0 && (
            <p className="muted" style={{ padding: '0 12px' }}>
              The queue is empty.
            </p>
          )}
          {items && items.length > 0 && (
            <table className="grid" data-testid="queue-table">
              <thead>
                <tr>
                  <th>#</th>
                  <th>FlowFile</th>
                  <th>Size</th>
                  <th>Age</th>
                  <th>Attributes</th>
                </tr>
              </thead>
              <tbody>
                {items.map((f) => (
                  <tr
                    key={f.id}
                    className={`clickable${f.id === selected?.flowFile.id ? ' active' : ''}`}
                    onClick={() => void open(f)}
                    data-testid="queue-row"
                  >
                    <td>{f.position + 1}</td>
                    <td className="mono" title={f.id}>
                      {f.id.slice(0, 13)}
                      {f.penalized ? ' ⏸' : ''}
                    </td>
                    <td>{formatBytes(f.size)}</td>
                    <td>{formatAge(f.ageMs)}</td>
                    <td className="muted">{Object.keys(f.attributes).length}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div className="detail">
          {selected ? (
            <FlowFileDetail
              key={selected.flowFile.id}
              flowId={flowId}
              connectionId={connectionId}
              flowFile={selected.flowFile}
              showContent={canRead}
              confirmed={selected.confirmed}
              gone={selected.presence === 'gone'}
              partial={items !== null && (liveCount ?? 0) > items.length}
              onGone={() => {
                setSelected((s) => markGone(s, selected.flowFile.id));
                void load();
              }}
            />
          ) : (
            <p className="muted">Select a FlowFile to see its attributes and content.</p>
          )}
        </div>
      </div>
      {confirming && (
        <ConfirmDialog
          title="Empty the queue?"
          text={`Drop every FlowFile waiting in "${connectionId}"? Each is recorded as a DROP provenance event; this cannot be undone.`}
          action="Empty queue"
          onConfirm={() => void empty()}
          onCancel={() => setConfirming(false)}
        />
      )}
    </>
  );
}
