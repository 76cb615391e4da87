/**
 * The Tests panel's store: the open flow's test file (null: it has none yet), the last run's result, and the
 * actions: load, run (pending edits saved first, so the run tests what the canvas shows), delete a case, and
 * pin a watched connection's FlowFiles as a new case (lib/pin-test.ts builds it from the tap ring and a snapshot
 * run of the flow as saved now; it is appended to the file and saved).
 */
import { create } from 'zustand';
import { ApiError, api } from './api/client';
import type { FlowTestFile, FlowTestRunAnswer } from './api/types';
import { pinnedCase, pinnedInjections, uniqueCaseName, withCase, withoutCase } from './lib/pin-test';
import { useStore } from './store';
import { flushSave } from './store/autosave';

export interface TestsState {
  open: boolean;
  flowId: string | null;
  /** The test file; null when the flow has none. */
  file: FlowTestFile | null;
  loading: boolean;
  running: boolean;
  /** The connection whose FlowFiles are being pinned. */
  pinning: string | null;
  error: string | null;
  result: FlowTestRunAnswer | null;
  openPanel(flowId: string): void;
  closePanel(): void;
  /** The open flow changed: forget the other one's tests. */
  showFlow(flowId: string | null): void;
  refresh(): Promise<void>;
  run(): Promise<void>;
  deleteCase(name: string): Promise<void>;
  /** Pins what the tap of `connectionId` shows as a case named after `label`; true when it was saved. */
  pin(connectionId: string, label: string): Promise<boolean>;
}

const message = (err: unknown) => (err as Error).message;

/** The flow's tests; null for a 404 (none yet). */
async function loadTests(flowId: string): Promise<FlowTestFile | null> {
  try {
    return await api.flowTests(flowId);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

export const useTests = create<TestsState>((set, get) => ({
  open: false,
  flowId: null,
  file: null,
  loading: false,
  running: false,
  pinning: null,
  error: null,
  result: null,
  openPanel(flowId) {
    set({ open: true, flowId });
    void get().refresh();
  },
  closePanel() {
    set({ open: false });
  },
  showFlow(flowId) {
    if (flowId === get().flowId) return;
    set({ flowId, file: null, result: null, error: null });
    if (flowId && get().open) void get().refresh();
  },
  async refresh() {
    const { flowId } = get();
    if (!flowId) return;
    set({ loading: true, error: null });
    try {
      const file = await loadTests(flowId);
      if (get().flowId === flowId) set({ file, loading: false });
    } catch (err) {
      set({ loading: false, error: message(err) });
    }
  },
  async run() {
    const { flowId } = get();
    if (!flowId || get().running) return;
    // The last result goes: what is shown next is this run's.
    set({ running: true, error: null, result: null });
    if (!(await flushSave())) {
      set({ running: false, error: 'Your latest changes are not saved; the tests would run the flow without them.' });
      return;
    }
    try {
      const result = await api.runFlowTests(flowId);
      if (get().flowId === flowId) set({ result, running: false });
    } catch (err) {
      set({ running: false, error: message(err) });
    }
  },
  async deleteCase(name) {
    const { flowId, file } = get();
    if (!flowId || !file) return;
    const rest = withoutCase(file, name);
    if (!rest) {
      set({ error: 'A test file needs one case at least: the last case cannot be deleted.' });
      return;
    }
    try {
      const saved = await api.saveFlowTests(flowId, rest);
      const result = get().result;
      set({
        file: saved,
        error: null,
        result: result && { ...result, cases: result.cases.filter((c) => c.name !== name) },
      });
    } catch (err) {
      set({ error: message(err) });
    }
  },
  async pin(connectionId, label) {
    const flowId = useStore.getState().meta?.id;
    if (!flowId || get().pinning) return false;
    const fail = (text: string) => {
      set({ pinning: null });
      useStore.getState().notify(`Not pinned: ${text}`, 'error');
      return false;
    };
    set({ pinning: connectionId, flowId });
    try {
      // The snapshot runs the flow as saved: pending edits go first.
      if (!(await flushSave())) return fail('your latest changes are not saved.');
      const ring = await api.tapRing(flowId, connectionId);
      const injections = pinnedInjections(ring.entries);
      if (!injections.ok) return fail(injections.message);
      const snapshot = await api.testSnapshot(flowId, { at: connectionId, inject: injections.inject });
      if (snapshot.error) return fail(`the flow did not run: ${snapshot.error}`);
      if (!snapshot.consistent)
        return fail(`${snapshot.destination} sent different FlowFiles in two runs: there is nothing stable to pin.`);
      const file = await loadTests(flowId);
      const count = injections.inject.length;
      const name = uniqueCaseName(`${count} FlowFile${count === 1 ? '' : 's'} pinned at ${label}`, file);
      const saved = await api.saveFlowTests(flowId, withCase(file, pinnedCase(name, injections.inject, snapshot)));
      set({ pinning: null, file: saved, open: true, error: null });
      useStore.getState().notify(`Pinned as test "${name}".`);
      return true;
    } catch (err) {
      return fail(message(err));
    }
  },
}));
