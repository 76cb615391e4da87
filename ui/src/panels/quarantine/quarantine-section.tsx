/**
 * The queue inspector's Quarantine tab (container): loads the FlowFiles set aside in a connection's quarantine,
 * reloads them as the live quarantined count changes, and puts them back or drops them all (after a
 * confirmation), showing the server's answer, or its error as it says it. Markup: quarantine-view.tsx.
 */
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ApiError, api } from '../../api/client';
import type { QuarantineList } from '../../api/types';
import { useStore } from '../../store';
import { useCan } from '../../store/use-can';
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
  const [list, setList] = useState<QuarantineList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState<ReleaseAction | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  // Reloaded as the count changes: only the latest answer may fill the list, not an earlier one arriving late.
  const latest = useRef(0);
  const load = useCallback(async () => {
    const request = ++latest.current;
    try {
      const answer = await api.quarantine(flowId, connectionId, LIMIT);
      if (request !== latest.current) return;
      setList(answer);
      setError(null);
    } catch (err) {
      if (request !== latest.current) return;
      setError(
        err instanceof ApiError && err.status === 404
          ? 'This connection is not saved on the server yet.'
          : (err as Error).message,
      );
    }
  }, [flowId, connectionId]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the live quarantined count changes
  useEffect(() => {
    void load();
  }, [load, liveCount]);

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
