/**
 * Saves the open flow to the server shortly after each committed edit (debounced), one request at a time.
 * A refused save is shown, never swallowed: 400 answers become the flow's validation issues ("invalid", the
 * nodes are marked), other failures an error with the server's message. Unsaved documents are kept as a draft
 * in localStorage so a reload loses nothing.
 */
import { ApiError, api } from '../api/client';
import type { Flow } from '../api/types';
import { indexIssues, NO_ISSUES } from '../lib/issues';
import { can } from '../lib/roles';
import { useStore } from './index';

const DELAY_MS = 500;
const DRAFT_PREFIX = 'sluice.draft.';

let timer: ReturnType<typeof setTimeout> | undefined;
let inFlight: Promise<void> | undefined;

export function draftOf(flowId: string): Flow | null {
  try {
    const text = localStorage.getItem(DRAFT_PREFIX + flowId);
    return text ? (JSON.parse(text) as Flow) : null;
  } catch {
    return null;
  }
}

export function dropDraft(flowId: string): void {
  localStorage.removeItem(DRAFT_PREFIX + flowId);
}

async function saveNow(): Promise<void> {
  const { doc, revision, save, setSave } = useStore.getState();
  if (!doc || revision === save.savedRevision) return;
  const flowId = doc.id;
  setSave({ status: 'saving' });
  try {
    await api.saveFlow(doc);
    if (useStore.getState().meta?.id !== flowId) return;
    dropDraft(flowId);
    const now = useStore.getState().revision;
    setSave({
      status: now === revision ? 'saved' : 'pending',
      savedRevision: revision,
      issues: NO_ISSUES,
      message: undefined,
    });
    const { flows, setFlows } = useStore.getState();
    if (flows.some((f) => f.id === flowId && f.name !== doc.name))
      setFlows(flows.map((f) => (f.id === flowId ? { ...f, name: doc.name } : f)));
  } catch (err) {
    if (useStore.getState().meta?.id !== flowId) return;
    localStorage.setItem(DRAFT_PREFIX + flowId, JSON.stringify(doc));
    // A newer edit arrived meanwhile: that one is saved next, and its own answer decides what is shown.
    if (useStore.getState().revision !== revision) {
      setSave({ status: 'pending' });
      return;
    }
    if (err instanceof ApiError && err.status === 400 && err.details.length > 0)
      setSave({ status: 'invalid', issues: indexIssues(doc, err.details), message: err.message });
    else {
      setSave({ status: 'error', message: (err as Error).message });
      useStore.getState().notify(`Saving "${doc.name}" failed: ${(err as Error).message}`, 'error');
    }
  }
}

function runSave(): Promise<void> {
  inFlight ??= saveNow().finally(() => {
    inFlight = undefined;
    schedule();
  });
  return inFlight;
}

/** Only an admin's edits are saved; for other roles a change (an auto-layout) is a view of their own. */
const mayEdit = () => can(useStore.getState().me, 'admin');

function schedule(): void {
  const { revision, save, nodes } = useStore.getState();
  if (revision === save.savedRevision || !mayEdit()) return;
  // A save that failed waits for the next edit (or an explicit retry) rather than looping.
  if (save.status === 'invalid' || save.status === 'error') return;
  if (save.status === 'saved') useStore.getState().setSave({ status: 'pending' });
  clearTimeout(timer);
  if (nodes.some((n) => n.dragging)) return;
  timer = setTimeout(() => void runSave(), DELAY_MS);
}

/** Saves now if anything is unsaved; resolves true when the server holds the current document. */
export async function flushSave(): Promise<boolean> {
  clearTimeout(timer);
  if (!mayEdit()) return true;
  while (inFlight) await inFlight;
  const { revision, save } = useStore.getState();
  if (revision !== save.savedRevision) await runSave();
  const after = useStore.getState();
  return after.revision === after.save.savedRevision;
}

/** Starts watching the store; returns the unsubscribe function. */
export function startAutosave(): () => void {
  const unsubscribe = useStore.subscribe((state, previous) => {
    if (state.revision === previous.revision || state.meta?.id !== previous.meta?.id) return;
    if (state.save.status === 'invalid' || state.save.status === 'error') state.setSave({ status: 'pending' });
    schedule();
  });
  const beforeUnload = (event: BeforeUnloadEvent) => {
    const { revision, save } = useStore.getState();
    if (revision !== save.savedRevision && mayEdit()) event.preventDefault();
  };
  window.addEventListener('beforeunload', beforeUnload);
  return () => {
    unsubscribe();
    clearTimeout(timer);
    window.removeEventListener('beforeunload', beforeUnload);
  };
}
