/**
 * The bottom drawer's height: bounded so it neither hides the canvas nor shrinks past its own toolbar,
 * stepped by the keyboard, and remembered in localStorage.
 */

export const DRAWER_HEIGHT_KEY = 'sluice.drawerHeight';
export const DEFAULT_HEIGHT = 330;
export const MIN_HEIGHT = 160;
/** Kept free above the drawer: the top bar and a strip of canvas. */
const KEEP_ABOVE = 52 + 120;
export const KEY_STEP = 20;
export const KEY_STEP_LARGE = 100;

export function maxHeight(viewportHeight: number): number {
  return Math.max(MIN_HEIGHT, viewportHeight - KEEP_ABOVE);
}

export function clampHeight(height: number, viewportHeight: number): number {
  return Math.round(Math.min(maxHeight(viewportHeight), Math.max(MIN_HEIGHT, height)));
}

/** The height a key asks for (ArrowUp grows, as the edge moves up), or null for any other key. */
export function heightForKey(key: string, large: boolean, height: number, viewportHeight: number): number | null {
  const step = large ? KEY_STEP_LARGE : KEY_STEP;
  const wanted: Record<string, number> = {
    ArrowUp: height + step,
    ArrowDown: height - step,
    PageUp: height + KEY_STEP_LARGE,
    PageDown: height - KEY_STEP_LARGE,
    Home: maxHeight(viewportHeight),
    End: MIN_HEIGHT,
  };
  return key in wanted ? clampHeight(wanted[key]!, viewportHeight) : null;
}

export function loadHeight(storage: Pick<Storage, 'getItem'> | undefined): number {
  try {
    const n = Number(storage?.getItem(DRAWER_HEIGHT_KEY));
    return Number.isFinite(n) && n > 0 ? n : DEFAULT_HEIGHT;
  } catch {
    return DEFAULT_HEIGHT; // storage refused (privacy mode): the default
  }
}

export function saveHeight(storage: Pick<Storage, 'setItem'> | undefined, height: number): void {
  try {
    storage?.setItem(DRAWER_HEIGHT_KEY, String(Math.round(height)));
  } catch {
    // storage refused or full: the height is kept for this page only
  }
}
