/**
 * Local text for a form field, committed to the store a moment after typing stops (or at once on blur/Enter),
 * so an edit is one undo step and the canvas is not rewritten on every keystroke. The wait goes through the
 * panel's DraftQueue (draft-scope.tsx): leaving any field commits every pending edit of the panel, in order.
 * While the field has focus or an edit pending the text is the user's; otherwise it follows the store (undo,
 * another panel).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useDraftQueue } from './draft-scope';

export function useDraft(value: string, commit: (text: string) => void) {
  const queue = useDraftQueue();
  const [text, setText] = useState(value);
  const focused = useRef(false);
  const pending = useRef<string | null>(null);
  const owner = useRef({}).current;
  const commitRef = useRef(commit);
  commitRef.current = commit;

  useEffect(() => {
    if (!focused.current && pending.current === null) setText(value);
  }, [value]);

  const commitPending = useCallback(() => {
    if (pending.current === null) return;
    const next = pending.current;
    pending.current = null;
    commitRef.current(next);
  }, []);
  const flush = useCallback(() => queue.flush(), [queue]);

  useEffect(() => () => flush(), [flush]);

  return {
    text,
    onChange(next: string) {
      setText(next);
      pending.current = next;
      queue.schedule(owner, commitPending);
    },
    onFocus() {
      focused.current = true;
    },
    onBlur() {
      focused.current = false;
      flush();
    },
    flush,
  };
}
