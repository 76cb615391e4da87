/**
 * Each card's and each queue label's own slice of the live status. The server sends the whole flow's status
 * every second as new objects; a selector that returned a processor's status object would re-render every card
 * on every tick. These return flat objects of numbers and strings, compared shallowly, so a tick re-renders
 * only the cards and labels whose figures changed. The status stream names components by global id.
 */
import { useShallow } from 'zustand/react/shallow';
import type { ProcessorState } from '../api/types';
import { globalIdAt } from '../flow-mapping';
import { formatAge } from '../lib/format';
import { type AppState, useStore } from '../store';

export interface CardStatus {
  /** Absent until the first status arrives. */
  state: ProcessorState | undefined;
  in: number;
  out: number;
  bytesIn: number;
  bytesOut: number;
  /** Whole percent of each second spent in onTrigger / blocked by backpressure. */
  busy: number;
  blocked: number;
  tasks: number;
  errors: number;
  bulletins: number;
}

function cardStatus(s: AppState, id: string): CardStatus {
  const p = s.status?.processors[globalIdAt(s.path, id)];
  const recent = p?.lastFiveMinutes;
  return {
    state: p?.state,
    in: recent?.in ?? 0,
    out: recent?.out ?? 0,
    bytesIn: recent?.bytesIn ?? 0,
    bytesOut: recent?.bytesOut ?? 0,
    busy: p ? Math.round(p.busyMsPerSecond / 10) : 0,
    blocked: p ? Math.round(p.backPressuredMsPerSecond / 10) : 0,
    tasks: p?.tasks ?? 0,
    errors: p?.errors ?? 0,
    bulletins: p?.bulletins.length ?? 0,
  };
}

export function useCardStatus(id: string): CardStatus {
  return useStore(useShallow((s) => cardStatus(s, id)));
}

/** The latest five bulletins of a processor, one line each (only the badge's popover reads them). */
export function useBulletinLines(id: string): string[] {
  return useStore(
    useShallow((s) =>
      (s.status?.processors[globalIdAt(s.path, id)]?.bulletins ?? [])
        .slice(-5)
        .map((b) => `${new Date(b.time).toLocaleTimeString()} ${b.level}: ${b.message}`),
    ),
  );
}

export interface QueueStatus {
  /** False until the first status arrives. */
  known: boolean;
  count: number;
  bytes: number;
  objectThreshold: number;
  bytesThreshold: number;
  backPressured: boolean;
  quarantined: number;
  /** The oldest FlowFile's age as shown ("" when the queue is empty). */
  age: string;
}

function queueStatus(s: AppState, id: string): QueueStatus {
  const q = s.status?.connections[globalIdAt(s.path, id)];
  return {
    known: q !== undefined,
    count: q?.count ?? 0,
    bytes: q?.bytes ?? 0,
    objectThreshold: q?.objectThreshold ?? 0,
    bytesThreshold: q?.bytesThreshold ?? 0,
    backPressured: q?.backPressured ?? false,
    quarantined: q?.quarantined ?? 0,
    age: q && q.count > 0 ? formatAge(q.oldestAgeMs) : '',
  };
}

export function useQueueStatus(id: string): QueueStatus {
  return useStore(useShallow((s) => queueStatus(s, id)));
}
