/**
 * Rows edited locally (a map's entries, a list's items) and committed whole through the panel's DraftQueue: the
 * commit takes the latest rows, however late it runs. While an edit is pending the rows are the user's;
 * otherwise they follow the store (undo, another panel).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useDraftQueue } from './draft-scope';

export function useRowDraft<R>(
  value: unknown,
  toRows: (value: unknown) => R[],
  toValue: (rows: readonly R[]) => unknown,
  onChange: (value: unknown) => void,
) {
  const queue = useDraftQueue();
  const owner = useRef({}).current;
  const [rows, setRows] = useState(() => toRows(value));
  const latest = useRef(rows);
  const dirty = useRef(false);
  const last = useRef(JSON.stringify(value ?? null));
  const fns = useRef({ toRows, toValue, onChange });
  fns.current = { toRows, toValue, onChange };

  useEffect(() => {
    const incoming = JSON.stringify(value ?? null);
    if (incoming === last.current || dirty.current) return;
    last.current = incoming;
    latest.current = fns.current.toRows(value);
    setRows(latest.current);
  }, [value]);

  const commit = useCallback(() => {
    if (!dirty.current) return;
    dirty.current = false;
    const next = fns.current.toValue(latest.current);
    last.current = JSON.stringify(next ?? null);
    fns.current.onChange(next);
  }, []);

  useEffect(() => () => queue.flush(), [queue]);

  const show = (next: R[]) => {
    latest.current = next;
    setRows(next);
  };
  return {
    rows,
    /** The rows as last edited (newer than `rows` until the next render). */
    latest: () => latest.current,
    /** Shows `next` without committing it (an empty new row). */
    show,
    /** Shows `next` and commits it after the quiet time, or with every other pending edit at once (`now`). */
    edit(next: R[], now = false) {
      show(next);
      dirty.current = true;
      queue.schedule(owner, commit);
      if (now) queue.flush();
    },
    /** Commits the panel's pending edits (a field was left). */
    flush: () => queue.flush(),
  };
}
