/**
 * Ctrl+F (Cmd+F on a Mac) opens the search across flows instead of the browser's find, wherever the canvas or a
 * page has the focus; typed into a field (a config form, a filter) the browser's find stays.
 */
import { useEffect } from 'react';
import { useStore } from '../store';
import { useSearchDialog } from './search-dialog';

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export function useSearchShortcut(): void {
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.shiftKey || e.altKey || e.key.toLowerCase() !== 'f') return;
      if (isTyping(e.target) || useStore.getState().needsToken) return;
      e.preventDefault();
      useSearchDialog.getState().show();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
