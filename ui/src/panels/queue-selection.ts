/**
 * Which FlowFile the queue inspector shows while its list goes on reloading: the last known copy, and whether it
 * is still waiting. A FlowFile a processor took stays shown, marked gone. Its content is asked for only once a
 * list answered after the click still had it, so one taken in between costs no failed request.
 */
import type { QueuedFlowFile } from '../api/types';

export type Presence = 'checking' | 'queued' | 'gone';

export interface QueueSelection {
  /** As last listed. */
  flowFile: QueuedFlowFile;
  presence: Presence;
  /** A list answered after the click had it: its content may be read (and is kept once read). */
  confirmed: boolean;
}

/** A click on a listed FlowFile: shown at once, checked against the next list answer. */
export const selectFlowFile = (flowFile: QueuedFlowFile): QueueSelection => ({
  flowFile,
  presence: 'checking',
  confirmed: false,
});

/** The selection after a list answer; `null` (no answer) lets the content request tell instead. */
export function afterList(sel: QueueSelection | null, list: readonly QueuedFlowFile[] | null): QueueSelection | null {
  if (!sel) return sel;
  if (list === null) return sel.presence === 'checking' ? { ...sel, presence: 'queued', confirmed: true } : sel;
  const now = list.find((f) => f.id === sel.flowFile.id);
  if (now) return { flowFile: now, presence: 'queued', confirmed: true };
  return sel.presence === 'gone' ? sel : { ...sel, presence: 'gone' };
}

/** The server answered 404 for its content: it left the queue since the list was read. */
export function markGone(sel: QueueSelection | null, id: string): QueueSelection | null {
  return sel && sel.flowFile.id === id && sel.presence !== 'gone' ? { ...sel, presence: 'gone' } : sel;
}
