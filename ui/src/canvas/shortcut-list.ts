/**
 * Every keyboard shortcut, as data: the help overlay (`?`, panels/shortcut-help.tsx) lists this table, and
 * use-shortcuts.ts runs the canvas entries that have a `matches` (one table, so the list cannot drift from what
 * the keys do). Entries without `matches` are handled where they apply (a palette item, React Flow's own node
 * focus, the search box) and are listed here for the overlay.
 */

export type ShortcutId =
  | 'add-from-palette'
  | 'focus-node'
  | 'connect'
  | 'delete'
  | 'undo'
  | 'redo'
  | 'copy'
  | 'paste'
  | 'select-all'
  | 'group'
  | 'ungroup'
  | 'search'
  | 'help'
  | 'close';

export interface Shortcut {
  id: ShortcutId;
  /** The keys as shown ("Ctrl" is ⌘ on a Mac); alternatives are separate entries. */
  keys: string[];
  action: string;
  /** Where the keys work (shown as a heading in the overlay). */
  where: 'Canvas' | 'Palette' | 'Anywhere';
  /** Only for a role that may edit the flow. */
  edits?: boolean;
  /** For the canvas shortcuts use-shortcuts.ts runs: does this key press mean this shortcut? */
  matches?: (e: KeyboardEvent) => boolean;
}

const mod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey;
const key = (e: KeyboardEvent) => e.key.toLowerCase();
const plain = (e: KeyboardEvent) => !mod(e) && !e.altKey;

export const SHORTCUTS: readonly Shortcut[] = [
  {
    id: 'add-from-palette',
    keys: ['Enter', 'Space'],
    action: 'Add the focused palette item at the centre of the canvas (and select it)',
    where: 'Palette',
    edits: true,
  },
  {
    id: 'focus-node',
    keys: ['Tab'],
    action: 'Move the focus from item to item on the canvas (Enter or Space then selects the focused one)',
    where: 'Canvas',
  },
  {
    id: 'connect',
    keys: ['C'],
    action: 'Connect the selected item to another at this level (choose it and, for a processor, the relationship)',
    where: 'Canvas',
    edits: true,
    matches: (e) => plain(e) && !e.shiftKey && key(e) === 'c',
  },
  {
    id: 'delete',
    keys: ['Delete', 'Backspace'],
    action: 'Delete the selection',
    where: 'Canvas',
    edits: true,
    matches: (e) => !mod(e) && (e.key === 'Delete' || e.key === 'Backspace'),
  },
  {
    id: 'undo',
    keys: ['Ctrl+Z'],
    action: 'Undo',
    where: 'Canvas',
    edits: true,
    matches: (e) => mod(e) && !e.shiftKey && key(e) === 'z',
  },
  {
    id: 'redo',
    keys: ['Ctrl+Shift+Z', 'Ctrl+Y'],
    action: 'Redo',
    where: 'Canvas',
    edits: true,
    matches: (e) => mod(e) && ((key(e) === 'z' && e.shiftKey) || key(e) === 'y'),
  },
  {
    id: 'copy',
    keys: ['Ctrl+C'],
    action: 'Copy the selection (with the connections between its items)',
    where: 'Canvas',
    matches: (e) => mod(e) && key(e) === 'c',
  },
  {
    id: 'paste',
    keys: ['Ctrl+V'],
    action: 'Paste what was copied',
    where: 'Canvas',
    edits: true,
    matches: (e) => mod(e) && key(e) === 'v',
  },
  {
    id: 'select-all',
    keys: ['Ctrl+A'],
    action: 'Select everything at this level',
    where: 'Canvas',
    matches: (e) => mod(e) && key(e) === 'a',
  },
  {
    id: 'group',
    keys: ['Ctrl+G'],
    action: 'Move the selected processors into a new group',
    where: 'Canvas',
    edits: true,
    matches: (e) => mod(e) && !e.shiftKey && key(e) === 'g',
  },
  {
    id: 'ungroup',
    keys: ['Ctrl+Shift+G'],
    action: "Move the selected group's content out to this level",
    where: 'Canvas',
    edits: true,
    matches: (e) => mod(e) && e.shiftKey && key(e) === 'g',
  },
  {
    id: 'search',
    keys: ['Ctrl+F'],
    action: 'Search every flow: processors, connections, groups, property values',
    where: 'Anywhere',
  },
  {
    id: 'help',
    keys: ['?'],
    action: 'Show this list of shortcuts',
    where: 'Anywhere',
    matches: (e) => plain(e) && e.key === '?',
  },
  { id: 'close', keys: ['Escape'], action: 'Close a dialog, the connect picker or this list', where: 'Anywhere' },
];
