/** The status slice: the live status of the open flow, pushed by the server's event stream. */
import type { FlowStatus } from '../api/types';
import type { SliceCreator } from './types';

export interface StatusSlice {
  /** Status of the open flow (null until the first snapshot). */
  status: FlowStatus | null;
  /** The event stream is connected. */
  live: boolean;
  /** The event stream failed (the server is down or restarting): what is shown may be stale. */
  offline: boolean;
  applyStatus(status: FlowStatus): void;
  setLive(live: boolean): void;
  clearStatus(): void;
}

export const createStatusSlice: SliceCreator<StatusSlice> = (set, get) => ({
  status: null,
  live: false,
  offline: false,

  applyStatus(status) {
    if (status.flowId === get().meta?.id) set({ status });
  },

  setLive(live) {
    if (live !== get().live || live === get().offline) set({ live, offline: !live });
  },

  clearStatus() {
    set({ status: null });
  },
});
