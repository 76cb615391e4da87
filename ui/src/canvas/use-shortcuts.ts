/**
 * Canvas keyboard shortcuts, run from the table in shortcut-list.ts (which the `?` overlay lists): C (connect the
 * selected item, through the connect picker), Delete, Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y), Ctrl+C / Ctrl+V,
 * Ctrl+A, Ctrl+G (group the selected processors) / Ctrl+Shift+G (ungroup the selected group), `?` (the list).
 * Without `editable` (a role that may not edit) only the shortcuts that change nothing. Keys typed into a field,
 * or while an overlay is up, are left alone.
 */
import { useEffect } from 'react';
import { useOverlay } from '../panels/overlay-state';
import { type AppState, useStore } from '../store';
import { SHORTCUTS, type ShortcutId } from './shortcut-list';

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** What each shortcut does; false = it did not apply (the key keeps its default action). */
const HANDLERS: Partial<Record<ShortcutId, (st: AppState) => unknown>> = {
  connect: (st) => {
    const selected = [...st.nodes, ...st.others].filter((n) => n.selected);
    const source = selected.length === 1 && selected[0]!.type !== 'label' ? selected[0] : undefined;
    if (!source) {
      st.notify('Select one processor, funnel, port or group to connect it (C).');
      return true;
    }
    useOverlay.getState().open({ kind: 'connect', sourceId: source.id });
    return true;
  },
  delete: (st) => st.deleteSelection(),
  undo: (st) => st.undo(),
  redo: (st) => st.redo(),
  copy: (st) => st.copySelection(),
  paste: (st) => st.paste(),
  'select-all': (st) =>
    st.select({ nodes: [...st.nodes, ...st.others].map((n) => n.id), edges: st.edges.map((x) => x.id) }),
  group: (st) => Boolean(st.groupSelection()),
  ungroup: (st) => {
    const group = st.others.find((n) => n.selected && n.type === 'processGroup');
    return Boolean(group && st.ungroup(group.id));
  },
  help: () => useOverlay.getState().open({ kind: 'help' }),
};

export function useShortcuts(editable = true): void {
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (isTyping(e.target) || useOverlay.getState().overlay || !useStore.getState().meta) return;
      const shortcut = SHORTCUTS.find((s) => s.matches?.(e) && (editable || !s.edits));
      const run = shortcut && HANDLERS[shortcut.id];
      if (!run || run(useStore.getState()) === false) return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [editable]);
}
