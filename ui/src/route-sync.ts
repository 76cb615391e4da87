/**
 * The address bar and the canvas follow each other. A new address (typed, a link, back, forward) opens its flow
 * and level of groups; opening a flow or entering a group by any means (the flow picker, a double-click, a
 * breadcrumb) writes the address as a new history entry, so back returns to where the canvas was. Store
 * changes are written once per tick (a flow opened and its groups entered make one entry), and not while an
 * address is being followed (a group that does not exist would otherwise leave an entry of its own).
 */
import { requestFocus } from './pages/canvas-focus';
import { addressIsBlank, currentRoute, navigate, onRouteChange, type Route } from './routing';
import { useStore } from './store';
import { openFlow, showLevel } from './store/session';

const s = useStore.getState;

/** The flow of the address being followed: the store's changes to it meanwhile are its own, not the user's. */
let following: string | undefined;
let queue: Promise<void> = Promise.resolve();
/** A follow is queued and not started yet (it reads the address when it starts: one is enough). */
let queued = false;

/** What the canvas shows, as a route; undefined while no flow is open. */
function shownRoute(): Extract<Route, { page: 'canvas' }> | undefined {
  const { meta, path } = s();
  return meta ? { page: 'canvas', flowId: meta.id, groups: [...path] } : undefined;
}

async function follow(): Promise<void> {
  queued = false;
  const route = currentRoute();
  if (route.page !== 'canvas' || !route.flowId) return;
  following = route.flowId;
  try {
    if (s().meta?.id !== route.flowId) await openFlow(route.flowId, route.groups);
    else if (s().path.join('/') !== route.groups.join('/')) {
      showLevel(route.groups);
      requestFocus({ nodes: [] });
    }
  } finally {
    following = undefined;
  }
  // The address may name a flow or group that does not exist: it then says what is shown instead.
  const shown = shownRoute();
  if (shown && currentRoute().page === 'canvas') navigate(shown, { replace: true });
}

/** Follows the address (after the ones before it); resolves once its flow and level show. */
export function followAddress(): Promise<void> {
  if (!queued) {
    queued = true;
    queue = queue.then(follow).catch(() => {});
  }
  return queue;
}

/** Resolves once every address heard so far has been followed. */
export function addressFollowed(): Promise<void> {
  return queue;
}

let writeScheduled = false;

function writeAddress(): void {
  writeScheduled = false;
  const shown = shownRoute();
  if (!shown || shown.flowId === following || currentRoute().page !== 'canvas') return;
  // The first flow shown takes a blank address over; any later change is a step back can undo.
  navigate(shown, { replace: addressIsBlank() });
}

/** Starts following the address and writing it; returns the stop. */
export function startRouteSync(): () => void {
  const stopRoutes = onRouteChange(() => void followAddress());
  const stopStore = useStore.subscribe((st, prev) => {
    if (st.meta?.id === prev.meta?.id && st.path === prev.path) return;
    if (writeScheduled) return;
    writeScheduled = true;
    queueMicrotask(writeAddress);
  });
  return () => {
    stopRoutes();
    stopStore();
  };
}
