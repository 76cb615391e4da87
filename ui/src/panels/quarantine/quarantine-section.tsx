/**
 * The queue inspector's Quarantine tab (container): loads the FlowFiles set aside in a connection's quarantine,
 * reloads them as the live quarantined count changes, and puts them back or drops them all (after a
 * confirmation), showing the server's answer, or its error as it says it. Markup: quarantine-view.tsx.
 */
import { type ReactNode, useCallback, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { api } from '../../api/client';
import { useStore } from '../../store';
import { useCan } from '../../store/use-can';
import { useLiveConnectionList } from '../use-live-connection-list';
import { type ReleaseAction, releasedText, releaseFailedText } from './quarantine-info';
import { type Outcome, QuarantineView } from './quarantine-view';

const LIMIT = 100;

export function QuarantineSection(props: { flowId: string; connectionId: string; heading: ReactNode }) {
  const { flowId, connectionId, heading } = props;
  const liveCount = useStore((s) => s.status?.connections[connectionId]?.quarantined);
  const processorNames = useStore(
    useShallow((s) => Object.fromEntries(s.nodes.map((n) => [n.id, n.data.spec.name ?? n.id]))),
  );
  const canRelease = useCan('operator');
  const [selected, setSelected] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState<ReleaseAction | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  // Reloaded as the live quarantined count changes.
  const fetchList = useCallback(() => api.quarantine(flowId, connectionId, LIMIT), [flowId, connectionId]);
  const { data: list, error, reload: load } = useLiveConnectionList(fetchList, liveCount);

  const release = async (action: ReleaseAction) => {
    setConfirming(false);
    setBusy(action);
    setOutcome(null);
    try {
      const count =
        action === 'requeue'
          ? (await api.requeueQuarantine(flowId, connectionId)).requeued
          : (await api.dropQuarantine(flowId, connectionId)).dropped;
      setOutcome({ tone: 'done', text: releasedText(action, count) });
      setSelected(null);
    } catch (err) {
      setOutcome({ tone: 'failed', text: releaseFailedText(action, (err as Error).message) });
    } finally {
      setBusy(null);
    }
    await load();
  };

  return (
    <QuarantineView
      heading={heading}
      connectionId={connectionId}
      count={liveCount ?? list?.count ?? 0}
      flowFiles={list?.flowFiles ?? null}
      error={error}
      processorNames={processorNames}
      selected={selected}
      onSelect={setSelected}
      canRelease={canRelease}
      busy={busy}
      outcome={outcome}
      confirming={confirming}
      onRefresh={() => void load()}
      onRequeue={() => void release('requeue')}
      onAskDrop={() => setConfirming(true)}
      onConfirmDrop={() => void release('drop')}
      onCancelDrop={() => setConfirming(false)}
      onClose={() => useStore.getState().openDrawer(null)}
    />
  );
}
