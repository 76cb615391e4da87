/** Undo/redo over committed flow documents (plain JSON snapshots, so a step is exact and cheap to keep). */
import type { Flow } from '../api/types';

export interface History {
  past: Flow[];
  future: Flow[];
}

export const EMPTY_HISTORY: History = { past: [], future: [] };
const LIMIT = 200;

/** `previous` was replaced by a new committed document. */
export function record(history: History, previous: Flow): History {
  const past = [...history.past, previous];
  return { past: past.length > LIMIT ? past.slice(past.length - LIMIT) : past, future: [] };
}

export function undo(history: History, current: Flow): { history: History; flow: Flow } | null {
  const flow = history.past.at(-1);
  if (!flow) return null;
  return { flow, history: { past: history.past.slice(0, -1), future: [current, ...history.future] } };
}

export function redo(history: History, current: Flow): { history: History; flow: Flow } | null {
  const flow = history.future[0];
  if (!flow) return null;
  return { flow, history: { past: [...history.past, current], future: history.future.slice(1) } };
}
