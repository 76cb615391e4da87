/**
 * Canvas keyboard shortcuts: Delete, Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y), Ctrl+C / Ctrl+V, Ctrl+A, Ctrl+G (group
 * the selected processors) / Ctrl+Shift+G (ungroup the selected group). Without
 * `editable` (a role that may not edit) only Ctrl+C and Ctrl+A.
 */
import { useEffect } from 'react';
import { useStore } from '../store';

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export function useShortcuts(editable = true): void {
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (isTyping(e.target) || !useStore.getState().meta) return;
      const st = useStore.getState();
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (!editable && !(mod && (key === 'c' || key === 'a'))) return;
      if ((e.key === 'Delete' || e.key === 'Backspace') && !mod) st.deleteSelection();
      else if (mod && key === 'z' && !e.shiftKey) st.undo();
      else if (mod && ((key === 'z' && e.shiftKey) || key === 'y')) st.redo();
      else if (mod && key === 'c') {
        if (!st.copySelection()) return;
      } else if (mod && key === 'v') st.paste();
      else if (mod && key === 'g' && !e.shiftKey) {
        if (!st.groupSelection()) return;
      } else if (mod && key === 'g' && e.shiftKey) {
        const group = st.others.find((n) => n.selected && n.type === 'processGroup');
        if (!group || !st.ungroup(group.id)) return;
      } else if (mod && key === 'a')
        st.select({ nodes: [...st.nodes, ...st.others].map((n) => n.id), edges: st.edges.map((x) => x.id) });
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [editable]);
}
