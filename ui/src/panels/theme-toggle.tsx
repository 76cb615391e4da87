/**
 * The theme switch in the top bar, one small button that steps through System (follow prefers-color-scheme),
 * Light and Dark (the top bar has no room for more), remembered in localStorage and applied as
 * <html data-theme="light|dark">. ui/public/theme-boot.js applies the saved choice before the first paint; this
 * keeps it applied when the choice or the system's scheme changes.
 */
import { useEffect, useState } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';

/** The localStorage key (theme-boot.js reads the same one). */
export const THEME_KEY = 'sluice.theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

function savedChoice(): ThemeChoice {
  try {
    const saved = localStorage.getItem(THEME_KEY);
    return saved === 'light' || saved === 'dark' ? saved : 'system';
  } catch {
    return 'system';
  }
}

function applyTheme(choice: ThemeChoice): void {
  const dark = choice === 'dark' || (choice === 'system' && matchMedia(DARK_QUERY).matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

const LABELS: Record<ThemeChoice, string> = { system: 'System (follows your computer)', light: 'Light', dark: 'Dark' };
const ICONS: Record<ThemeChoice, string> = { system: '◐', light: '☀', dark: '☾' };
/** One button, three states: each click moves on to the next. */
const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };

export function ThemeToggle() {
  const [choice, setChoice] = useState<ThemeChoice>(savedChoice);

  useEffect(() => {
    applyTheme(choice);
    if (choice !== 'system') return;
    const media = matchMedia(DARK_QUERY);
    const follow = () => applyTheme('system');
    media.addEventListener('change', follow);
    return () => media.removeEventListener('change', follow);
  }, [choice]);

  const choose = (next: ThemeChoice) => {
    try {
      if (next === 'system') localStorage.removeItem(THEME_KEY);
      else localStorage.setItem(THEME_KEY, next);
    } catch {
      // storage blocked: the choice lasts until the page is reloaded
    }
    setChoice(next);
  };

  const next = NEXT[choice];
  return (
    <button
      type="button"
      className="btn ghost icon theme-toggle"
      data-testid="theme-toggle"
      data-choice={choice}
      aria-label={`Colour theme: ${LABELS[choice]}. Switch to ${LABELS[next]}`}
      title={`Colour theme: ${LABELS[choice]} (click for ${LABELS[next]})`}
      onClick={() => choose(next)}
    >
      <span aria-hidden="true">{ICONS[choice]}</span>
    </button>
  );
}
