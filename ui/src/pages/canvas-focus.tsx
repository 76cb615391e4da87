/**
 * Centring the canvas once what it should centre on is on it: the node or connection a Summary row, a bulletin
 * or a search hit leads to, or the whole level the address changed to. A request waits until React Flow has
 * taken the store's nodes (the very objects, so a node of the flow shown before with the same id does not
 * count) and has made the fit it does when a flow opens (which would undo ours), then centres at once, zoomed in
 * no further than 100%. A node not measured yet (drawn only once in view) counts at a processor card's size.
 */
import { useStore as useFlowStore, useNodes, useReactFlow, useStoreApi } from '@xyflow/react';
import { useEffect, useSyncExternalStore } from 'react';
import { storeNodeOf } from '../canvas/estimated-node';
import { useStore } from '../store';
import { NODE_WIDTH } from '../store/session';

const ESTIMATED_HEIGHT = 150;
/** Room around what is centred, as a share of its size. */
const PADDING = 0.3;
const MIN_ZOOM = 0.1;

/** Node ids to fit the view to; [] = everything at the level. */
export interface FocusRequest {
  nodes: string[];
}

let pending: FocusRequest | null = null;
const listeners = new Set<() => void>();

export function requestFocus(request: FocusRequest): void {
  pending = request;
  for (const listener of [...listeners]) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Renders nothing; mounted inside the ReactFlowProvider next to the canvas. */
export function CanvasFocus() {
  const request = useSyncExternalStore(subscribe, () => pending);
  const { setCenter, getInternalNode } = useReactFlow();
  const flowStore = useStoreApi();
  // Re-renders whenever React Flow takes new nodes (a flow opened, a level entered, a selection), ends its own
  // fit, or changes size.
  const taken = useNodes();
  const fitQueued = useFlowStore((s) => s.fitViewQueued);
  const width = useFlowStore((s) => s.width);
  const height = useFlowStore((s) => s.height);

  useEffect(() => {
    if (!request || taken.length === 0 || width === 0 || height === 0) return;
    // The fit React Flow makes when a flow opens is still to come (it is read anew: set by an effect just now).
    if (fitQueued || flowStore.getState().fitViewQueued) return;
    const { nodes, others } = useStore.getState();
    const drawn = new Map<string, unknown>([...nodes, ...others].map((n) => [n.id, n]));
    const ids = request.nodes.length > 0 ? request.nodes : [...drawn.keys()];
    const internals = ids.map((id) => getInternalNode(id));
    // A card not drawn yet is held by React Flow as an estimated copy of the store's node (canvas/estimated-node.ts).
    if (internals.some((n, i) => !n || storeNodeOf(n.internals.userNode) !== drawn.get(ids[i]!))) return;
    pending = null;
    let [left, top, right, bottom] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const n of internals) {
      const { x, y } = n!.internals.positionAbsolute;
      left = Math.min(left, x);
      top = Math.min(top, y);
      right = Math.max(right, x + (n!.measured.width ?? n!.width ?? NODE_WIDTH));
      bottom = Math.max(bottom, y + (n!.measured.height ?? n!.height ?? ESTIMATED_HEIGHT));
    }
    const [w, h] = [right - left, bottom - top];
    const zoom = Math.max(MIN_ZOOM, Math.min(1, width / (w * (1 + 2 * PADDING)), height / (h * (1 + 2 * PADDING))));
    void setCenter(left + w / 2, top + h / 2, { zoom, duration: 0 });
  }, [request, taken, fitQueued, width, height, flowStore, setCenter, getInternalNode]);

  return null;
}
