/**
 * Local text for a form field, committed to the store a moment after typing stops (or at once on blur/Enter),
 * so an edit is one undo step and the canvas is not rewritten on every keystroke. While the field has focus the
 * text is the user's; otherwise it follows the store (undo, another panel).
 */
import { useCallback, useEffect, useRef, useState } from 'react';

const DELAY_MS = 350;

export function useDraft(value: string, commit: (text: string) => void) {
  const [text, setText] = useState(value);
  const focused = useRef(false);
  const pending = useRef<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const commitRef = useRef(commit);
  commitRef.current = commit;

  useEffect(() => {
    if (!focused.current && pending.current === null) setText(value);
  }, [value]);

  const flush = useCallback(() => {
    clearTimeout(timer.current);
    if (pending.current === null) return;
    const next = pending.current;
    pending.current = null;
    commitRef.current(next);
  }, []);

  useEffect(() => () => flush(), [flush]);

  return {
    text,
    onChange(next: string) {
      setText(next);
      pending.current = next;
      clearTimeout(timer.current);
      timer.current = setTimeout(flush, DELAY_MS);
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
