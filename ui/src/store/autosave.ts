/**
 * Saves the open flow to the server shortly after each committed edit (debounced), one request at a time.
 * The server keeps a flow whatever its validity: an invalid one is saved too and answered with every issue
 * ("invalid", the nodes are marked, the flow cannot start). A refused save is shown, never swallowed: a 409 for
 * connections dropped while they hold FlowFiles opens one dialog (empty them and delete, or undo the deletion;
 * see QueuedConflict), a 400 becomes the issues, other failures an error with the server's message. Documents
 * the server does not hold (offline, refused) are kept as a draft in localStorage so a reload loses nothing.
 */
import { ApiError, api } from '../api/client';
import type { Flow, ValidationIssue } from '../api/types';
import { indexIssues, NO_ISSUES, type QueuedRemoval, queuedRemovals } from '../lib/issues';
import { scrubSensitive } from '../lib/parameters-edit';
import { can } from '../lib/roles';
import { useStore } from './index';

const DELAY_MS = 500;
const DRAFT_PREFIX = 'sluice.draft.';

let timer: ReturnType<typeof setTimeout> | undefined;
let inFlight: Promise<void> | undefined;

/** The server's answer to saving a flow that does not validate: stored all the same. */
interface SavedInvalid {
  saved: true;
  valid: false;
  issues: ValidationIssue[];
}

function isSavedInvalid(answer: unknown): answer is SavedInvalid {
  const a = answer as Partial<SavedInvalid> | null;
  return a?.saved === true && a.valid === false && Array.isArray(a.issues);
}

/** A save refused (409) because it drops connections that still hold FlowFiles: the dialog's question. */
export interface QueuedConflict {
  flowId: string;
  /** The document revision the refused save was for. */
  revision: number;
  removals: QueuedRemoval[];
}

let conflict: QueuedConflict | null = null;
const conflictListeners = new Set<() => void>();

function setConflict(next: QueuedConflict | null): void {
  if (conflict === next) return;
  conflict = next;
  for (const listener of conflictListeners) listener();
}

/** For useSyncExternalStore: the open question, if any. */
export function queuedConflict(): QueuedConflict | null {
  return conflict;
}

export function onQueuedConflict(listener: () => void): () => void {
  conflictListeners.add(listener);
  return () => conflictListeners.delete(listener);
}

/** "Empty the queue and delete": empties each named queue on the server, then saves the document again. */
export async function emptyQueuesAndSave(): Promise<void> {
  const question = conflict;
  if (!question) return;
  setConflict(null);
  try {
    for (const r of question.removals) await api.emptyQueue(question.flowId, r.connectionId);
  } catch (err) {
    useStore.getState().notify(`Emptying the queue failed: ${(err as Error).message}`, 'error');
    return;
  }
  if (useStore.getState().meta?.id !== question.flowId) return;
  useStore.getState().setSave({ status: 'pending' });
  // FlowFiles that arrived meanwhile are refused again: the dialog then asks with the new counts.
  await flushSave();
}

/** "Cancel": the canvas goes back to before the deletion (one undo), which is then saved as usual. */
export function cancelQueuedDelete(): void {
  const question = conflict;
  setConflict(null);
  const state = useStore.getState();
  if (!question || state.meta?.id !== question.flowId) return;
  if (state.revision === question.revision) state.undo();
  else state.setSave({ status: 'pending' });
}

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
    const answer: unknown = await api.saveFlow(doc);
    if (useStore.getState().meta?.id !== flowId) return;
    dropDraft(flowId);
    setConflict(null);
    const now = useStore.getState().revision;
    // The server holds the sensitive values sent: the document keeps only that they are set.
    if (now === revision) useStore.getState().patchSaved(scrubSensitive);
    if (isSavedInvalid(answer)) {
      // The server holds it; it cannot start until its problems are fixed. Every issue is marked at once.
      const count = answer.issues.length;
      setSave({
        status: now === revision ? 'invalid' : 'pending',
        savedRevision: revision,
        issues: indexIssues(doc, answer.issues),
        message: `Saved with ${count === 1 ? '1 problem' : `${count} problems`}; the flow cannot start until they are fixed`,
      });
    } else
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
    // Never a secret in localStorage: a draft's sensitive values are typed again.
    localStorage.setItem(DRAFT_PREFIX + flowId, JSON.stringify(scrubSensitive(doc)));
    // A newer edit arrived meanwhile: that one is saved next, and its own answer decides what is shown.
    if (useStore.getState().revision !== revision) {
      setSave({ status: 'pending' });
      return;
    }
    const removals = err instanceof ApiError && err.status === 409 ? queuedRemovals(err.details) : [];
    if (removals.length > 0) {
      setSave({ status: 'error', message: err instanceof Error ? err.message : String(err) });
      setConflict({ flowId, revision, removals });
    } else if (err instanceof ApiError && err.status === 400 && err.details.length > 0)
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
