/**
 * The status stream's health in the top bar: green "live" while messages arrive, amber "updates late" when the
 * stream is connected but silent too long (what the canvas shows may be behind), red "offline" when it failed.
 */
import { useStore } from '../store';
import type { Liveness } from '../store/status-slice';

const LABEL: Record<Liveness, string> = { live: 'live', late: 'updates late', offline: 'offline' };

const TITLE: Record<Liveness, string> = {
  live: 'Live: the server pushes the status as it changes',
  late: 'Updates are late: the status stream has been silent for a while; the counts shown may be behind',
  offline: 'Offline: the status stream is down (is the server running?); what the canvas shows may be out of date',
};

export function LiveIndicator() {
  const liveness = useStore((s) => s.liveness);
  const connected = useStore((s) => s.live);
  const connecting = !connected && liveness === 'late';
  return (
    <span
      className={`live-indicator ${liveness}`}
      data-testid="live-indicator"
      data-state={liveness}
      title={connecting ? 'Connecting to the status stream…' : TITLE[liveness]}
      role="status"
    >
      <span className="live-dot" data-testid="live" aria-hidden="true">
        {connected ? '◉' : '○'}
      </span>
      <span className="live-text">{connecting ? 'connecting' : LABEL[liveness]}</span>
    </span>
  );
}
