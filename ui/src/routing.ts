/**
 * Hash routes: what the address bar says the app shows, both ways. `#/flows/<id>` (optionally
 * `/groups/<g1>/<g2>`: the level of nested groups shown) is the canvas, `#/summary` and `#/bulletins` are pages.
 * Parsing and formatting are pure; `navigate` writes the address (a history entry, so back and forward work) and
 * `onRouteChange` hears both that and the user's own changes (typing a hash, back, forward).
 */
import { useSyncExternalStore } from 'react';

export type Route =
  /** The canvas; no flowId: whatever flow is open (`#/` or no hash). */
  { page: 'canvas'; flowId?: string; groups: string[] } | { page: 'summary' } | { page: 'bulletins' };

export type Page = Route['page'];

const CANVAS: Route = { page: 'canvas', groups: [] };

/** The route of a URL fragment; anything unknown is the canvas as it is. */
export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split(/[?#]/)[0]!
    .split('/')
    .filter((p) => p !== '')
    .map(decodePart);
  if (parts[0] === 'summary' && parts.length === 1) return { page: 'summary' };
  if (parts[0] === 'bulletins' && parts.length === 1) return { page: 'bulletins' };
  if (parts[0] === 'flows' && parts[1]) {
    const groups = parts[2] === 'groups' ? parts.slice(3) : [];
    return { page: 'canvas', flowId: parts[1], groups };
  }
  return CANVAS;
}

export function formatRoute(route: Route): string {
  if (route.page !== 'canvas') return `#/${route.page}`;
  if (!route.flowId) return '#/';
  const groups = route.groups.length > 0 ? `/groups/${route.groups.map(encodeURIComponent).join('/')}` : '';
  return `#/flows/${encodeURIComponent(route.flowId)}${groups}`;
}

export function sameRoute(a: Route, b: Route): boolean {
  return formatRoute(a) === formatRoute(b);
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export function currentRoute(): Route {
  return parseRoute(window.location.hash);
}

/** The address names no flow and no page (no hash, `#/`): the first flow shown may take it over silently. */
export function addressIsBlank(): boolean {
  return formatRoute(currentRoute()) === '#/';
}

const listeners = new Set<() => void>();
let listening = false;

function emit(): void {
  for (const listener of [...listeners]) listener();
}

/**
 * Shows `route` in the address bar: a new history entry, or (`replace`) in place of the current one. Nothing
 * happens when it is there already.
 */
export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const hash = formatRoute(route);
  if (hash === formatRoute(currentRoute())) return;
  if (options.replace) window.history.replaceState(window.history.state, '', hash);
  else window.history.pushState(null, '', hash);
  emit();
}

/** Calls `listener` whenever the address may have changed (navigate, a typed hash, back, forward). */
export function onRouteChange(listener: () => void): () => void {
  if (!listening) {
    listening = true;
    // Both: history traversal fires popstate and (when the fragment differs) hashchange; listeners are idempotent.
    window.addEventListener('hashchange', emit);
    window.addEventListener('popstate', emit);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

let snapshot = '';
let snapshotRoute: Route = CANVAS;

/** The route shown, re-rendering when it changes. */
export function useRoute(): Route {
  return useSyncExternalStore(onRouteChange, () => {
    const hash = formatRoute(currentRoute());
    if (hash !== snapshot) {
      snapshot = hash;
      snapshotRoute = currentRoute();
    }
    return snapshotRoute;
  });
}
