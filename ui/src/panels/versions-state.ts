/**
 * The Versions panel's store: whether it is open, the open flow's versions (newest first), the one selected,
 * and its structural diff with the current flow, which the canvas draws (canvas/diff-overlay.tsx). Revert saves
 * the selected version through the API and reloads the flow.
 */
import { create } from 'zustand';
import { api } from '../api/client';
import type { FlowStructuralDiff, FlowVersion } from '../api/types';
import { useStore } from '../store';
import { flushSave } from '../store/autosave';
import { openFlow } from '../store/session';

export interface VersionsState {
  open: boolean;
  flowId: string | null;
  versions: FlowVersion[];
  loading: boolean;
  error: string | null;
  selected: string | null;
  /** The diff from the selected version to the current flow, while compared. */
  diff: FlowStructuralDiff | null;
  /** Which version `diff` is from. */
  diffFrom: string | null;
  openPanel(flowId: string): void;
  closePanel(): void;
  /** The open flow changed: forget the other one's versions and diff. */
  showFlow(flowId: string | null): void;
  refresh(): Promise<void>;
  select(version: string): void;
  compare(): Promise<void>;
  clearDiff(): void;
  revert(): Promise<void>;
}

const message = (err: unknown) => (err as Error).message;

export const useVersions = create<VersionsState>((set, get) => ({
  open: false,
  flowId: null,
  versions: [],
  loading: false,
  error: null,
  selected: null,
  diff: null,
  diffFrom: null,
  openPanel(flowId) {
    set({ open: true, flowId });
    void get().refresh();
  },
  closePanel() {
    set({ open: false, diff: null, diffFrom: null });
  },
  showFlow(flowId) {
    if (flowId === get().flowId) return;
    set({ flowId, versions: [], selected: null, diff: null, diffFrom: null, error: null });
    if (flowId && get().open) void get().refresh();
  },
  async refresh() {
    const { flowId } = get();
    if (!flowId) return;
    set({ loading: true, error: null });
    // Versions are made by saves: send pending edits first so the list (and "current") includes them.
    await flushSave();
    try {
      const versions = await api.flowVersions(flowId);
      if (get().flowId === flowId) set({ versions, loading: false });
    } catch (err) {
      set({ loading: false, error: message(err) });
    }
  },
  select(version) {
    set({ selected: version });
  },
  async compare() {
    const { flowId, selected } = get();
    if (!flowId || !selected) return;
    await flushSave();
    try {
      const diff = await api.flowDiff(flowId, selected);
      if (get().flowId === flowId) set({ diff, diffFrom: selected, error: null });
    } catch (err) {
      set({ error: message(err) });
    }
  },
  clearDiff() {
    set({ diff: null, diffFrom: null });
  },
  async revert() {
    const { flowId, selected } = get();
    if (!flowId || !selected) return;
    // Unsaved edits would be saved over the reverted flow: they go first (and a failed save stops here).
    if (!(await flushSave())) {
      set({ error: 'Your latest changes are not saved; save them (or undo them) before reverting.' });
      return;
    }
    try {
      await api.revertFlow(flowId, selected);
    } catch (err) {
      set({ error: message(err) });
      return;
    }
    set({ diff: null, diffFrom: null, selected: null });
    await openFlow(flowId, useStore.getState().path);
    useStore.getState().notify(`Reverted to version ${selected.slice(0, 7)}.`);
    await get().refresh();
  },
}));
