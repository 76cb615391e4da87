/**
 * The debug sidebar's store: which connections of the shown flow are watched, the tap entries pushed for each
 * (newest first, at most the server's ring of 100), the flow's debug lines (LogAttribute), the open inject form,
 * and the pure `applyTapMessage` that folds a stream message in. Other features read tap entries here (e.g.
 * "pin these FlowFiles as a test": `tapEntries(cid)`, full content through `api.tapRing`).
 */
import { create } from 'zustand';
import type { DebugEntry, TapEntry, TapStreamMessage } from './api/tap-types';

export const TAP_RING = 100;
export const DEBUG_KEEP = 500;

export interface ConnectionTapView {
  entries: TapEntry[];
  skipped: number;
  seen: number;
}

export interface TapData {
  taps: Record<string, ConnectionTapView>;
  debug: DebugEntry[];
  /** Debug lines the server sent none of (too many at once). */
  debugDropped: number;
}

export interface TapState extends TapData {
  flowId: string | null;
  open: boolean;
  tab: 'tap' | 'debug';
  watched: string[];
  /** The processor whose debug lines are shown ('' = all). */
  debugFilter: string;
  /** The connection whose inject form is open. */
  injectFor: string | null;
  live: boolean;
  showFlow(flowId: string | null): void;
  watch(connectionId: string): void;
  unwatch(connectionId: string): void;
  openPanel(tab?: TapState['tab']): void;
  closePanel(): void;
  openInject(connectionId: string): void;
  closeInject(): void;
  setDebugFilter(processorId: string): void;
  clearDebug(): void;
  setLive(live: boolean): void;
  receive(message: TapStreamMessage): void;
}

const EMPTY: TapData = { taps: {}, debug: [], debugDropped: 0 };

/** A stream message folded into the data it changes (pure). */
export function applyTapMessage(data: TapData, msg: TapStreamMessage): Partial<TapData> & { ended?: string } {
  switch (msg.type) {
    case 'tap-snapshot':
      return {
        taps: { ...data.taps, [msg.connectionId]: { entries: msg.entries, skipped: msg.skipped, seen: msg.seen } },
      };
    case 'tap': {
      const before = data.taps[msg.connectionId]?.entries ?? [];
      const known = new Set(msg.entries.map((e) => e.seq));
      const entries = [...msg.entries, ...before.filter((e) => !known.has(e.seq))].slice(0, TAP_RING);
      return { taps: { ...data.taps, [msg.connectionId]: { entries, skipped: msg.skipped, seen: msg.seen } } };
    }
    case 'tap-ended':
      return { ended: msg.connectionId };
    case 'debug-snapshot':
      return { debug: msg.entries.slice(0, DEBUG_KEEP) };
    case 'debug': {
      const known = new Set(msg.entries.map((e) => e.id));
      const debug = [...msg.entries, ...data.debug.filter((e) => !known.has(e.id))].slice(0, DEBUG_KEEP);
      return { debug, debugDropped: data.debugDropped + msg.dropped };
    }
    case 'debug-cleared':
      return { debug: [], debugDropped: 0 };
  }
}

export const useTapStore = create<TapState>()((set, get) => ({
  ...EMPTY,
  flowId: null,
  open: false,
  tab: 'tap',
  watched: [],
  debugFilter: '',
  injectFor: null,
  live: false,

  showFlow(flowId) {
    if (flowId === get().flowId) return;
    set({ ...EMPTY, flowId, watched: [], debugFilter: '', injectFor: null });
  },
  watch(connectionId) {
    const { watched } = get();
    set({ open: true, tab: 'tap', watched: watched.includes(connectionId) ? watched : [...watched, connectionId] });
  },
  unwatch(connectionId) {
    const { [connectionId]: _gone, ...taps } = get().taps;
    set({ watched: get().watched.filter((c) => c !== connectionId), taps });
  },
  openPanel(tab) {
    set({ open: true, ...(tab && { tab }) });
  },
  closePanel() {
    set({ open: false, live: false });
  },
  openInject(injectFor) {
    set({ injectFor });
  },
  closeInject() {
    set({ injectFor: null });
  },
  setDebugFilter(debugFilter) {
    set({ debugFilter });
  },
  clearDebug() {
    set({ debug: [], debugDropped: 0 });
  },
  setLive(live) {
    set({ live });
  },
  receive(message) {
    const { ended, ...change } = applyTapMessage(get(), message);
    set(change);
    if (ended) get().unwatch(ended);
  },
}));

/** What the tap of `connectionId` shows now (newest first); [] when it is not watched. */
export function tapEntries(connectionId: string): TapEntry[] {
  return useTapStore.getState().taps[connectionId]?.entries ?? [];
}
