/**
 * Replay (NiFi's "Replay" in the provenance event dialog): the FlowFile as it was at the event goes back into the
 * connection leading into the event's processor. The server decides whether it can (409 / 410 shown as it says).
 */
import { useState } from 'react';
import { api } from '../../api/client';
import type { ProvenanceEvent, ReplayResult } from '../../api/types';
import { useCan } from '../../store/use-can';

type Outcome = { tone: 'done' | 'failed'; text: string } | null;

/** Container: posts the replay and tells the caller, which refreshes what it lists. */
export function ReplayAction({ event, onReplayed }: { event: ProvenanceEvent; onReplayed?(r: ReplayResult): void }) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const canReplay = useCan('operator');

  const replay = async () => {
    setBusy(true);
    setOutcome(null);
    try {
      const result = await api.replay(event.eventId);
      setOutcome({ tone: 'done', text: `Replayed as ${result.flowFileId} into ${result.connectionId}` });
      onReplayed?.(result);
    } catch (err) {
      setOutcome({ tone: 'failed', text: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  if (!canReplay) return null;
  return <ReplayView busy={busy} outcome={outcome} onReplay={() => void replay()} />;
}

const OUTCOME_CLASS = { done: 'replay-done', failed: 'error-text' } as const;

export function ReplayView({ busy, outcome, onReplay }: { busy: boolean; outcome: Outcome; onReplay(): void }) {
  return (
    <div className="replay">
      <button
        type="button"
        className="btn small primary"
        data-testid="event-replay"
        disabled={busy}
        title="Put the FlowFile, as it was at this event, back into the connection leading into its processor"
        onClick={onReplay}
      >
        Replay
      </button>
      {outcome && (
        <p className={OUTCOME_CLASS[outcome.tone]} role="status" data-testid="replay-outcome" data-tone={outcome.tone}>
          {outcome.text}
        </p>
      )}
    </div>
  );
}
