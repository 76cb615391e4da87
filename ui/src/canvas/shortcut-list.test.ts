/** The shortcut table: the keys it shows are the keys that run each shortcut, one shortcut per key press. */
import { expect, test } from 'vitest';
import { SHORTCUTS } from './shortcut-list';

/** The key press a listed combination stands for ("Ctrl+Shift+Z", "C", "?", "Delete"), as a US keyboard sends it. */
function press(combo: string): KeyboardEvent {
  const parts = combo.split('+');
  const key = parts.pop()!;
  const shift = parts.includes('Shift') || key === '?';
  const named = key.length > 1;
  return {
    key: named ? key : shift ? key.toUpperCase() : key.toLowerCase(),
    ctrlKey: parts.includes('Ctrl'),
    metaKey: false,
    shiftKey: shift,
    altKey: false,
  } as KeyboardEvent;
}

test('each key shown for a canvas shortcut runs that shortcut and no other', () => {
  const run = SHORTCUTS.filter((s) => s.matches);
  expect(run.length).toBeGreaterThan(8);
  for (const shortcut of run)
    for (const combo of shortcut.keys)
      expect(
        run.filter((s) => s.matches!(press(combo))).map((s) => s.id),
        combo,
      ).toEqual([shortcut.id]);
});

test('⌘ stands in for Ctrl, and a plain C is not copy', () => {
  const undo = SHORTCUTS.find((s) => s.id === 'undo')!;
  expect(undo.matches!({ ...press('Z'), metaKey: true } as KeyboardEvent)).toBe(true);
  expect(SHORTCUTS.find((s) => s.id === 'copy')!.matches!(press('C'))).toBe(false);
});

test('the list names every shortcut once', () => {
  const ids = SHORTCUTS.map((s) => s.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const s of SHORTCUTS) expect(s.keys.length).toBeGreaterThan(0);
});
