/**
 * The status slice: the live status of the open flow, pushed by the server's event stream, and how far that
 * stream can be trusted right now (live, late or offline).
 */
import type { FlowStatus } from '../api/types';
import type { SliceCreator } from './types';

/** live: messages arrive; late: connected but silent too long (the server is stuck or the network is); offline: failed. */
export type Liveness = 'live' | 'late' | 'offline';

/**
 * Silence longer than this many heartbeat intervals makes the stream late: one heartbeat missed plus timer jitter
 * (a busy tab, a GC pause) is tolerated, a second missed one is not. With the server's 2 s heartbeat: late after 5 s.
 */
export const LATE_AFTER_HEARTBEATS = 2.5;

/** The server's heartbeat interval until a heartbeat says otherwise (server/api/status-stream.ts). */
export const DEFAULT_HEARTBEAT_MS = 2000;

export interface StatusSlice {
  /** Status of the open flow (null until the first snapshot). */
  status: FlowStatus | null;
  /** The event stream is connected. */
  live: boolean;
  /** The event stream failed (the server is down or restarting): what is shown may be stale. */
  offline: boolean;
  /** Late until the stream first connects; offline once it failed. */
  liveness: Liveness;
  /** When the stream last delivered a message (this browser's clock, ms). */
  lastMessageAt: number;
  /** The server's heartbeat interval, as its heartbeats say. */
  heartbeatMs: number;
  applyStatus(status: FlowStatus): void;
  setLive(live: boolean, now?: number): void;
  /** A message of any kind arrived (`heartbeatMs` when it was a heartbeat). */
  noteMessage(now: number, heartbeatMs?: number): void;
  /** Turns a connected stream late once it has been silent too long. */
  checkLiveness(now: number): void;
  clearStatus(): void;
}

export const createStatusSlice: SliceCreator<StatusSlice> = (set, get) => ({
  status: null,
  live: false,
  offline: false,
  liveness: 'late',
  lastMessageAt: 0,
  heartbeatMs: DEFAULT_HEARTBEAT_MS,

  applyStatus(status) {
    if (status.flowId === get().meta?.id) set({ status });
  },

  setLive(live, now = Date.now()) {
    if (live) set({ live, offline: false, liveness: 'live', lastMessageAt: now });
    else if (get().live || !get().offline) set({ live, offline: true, liveness: 'offline' });
  },

  noteMessage(now, heartbeatMs) {
    const { live, liveness } = get();
    set({
      lastMessageAt: now,
      ...(heartbeatMs !== undefined && heartbeatMs > 0 && { heartbeatMs }),
      ...(live && liveness !== 'live' && { liveness: 'live' as const }),
    });
  },

  checkLiveness(now) {
    const { liveness, lastMessageAt, heartbeatMs } = get();
    if (liveness === 'live' && now - lastMessageAt > LATE_AFTER_HEARTBEATS * heartbeatMs) set({ liveness: 'late' });
  },

  clearStatus() {
    set({ status: null });
  },
});
