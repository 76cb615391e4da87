/**
 * Going to a component on the canvas from a Summary row, a bulletin or a search hit: the address changes to its
 * flow and level (a history entry: back returns to the page), the flow opens, the level shows, and the node or
 * connection is selected and centred.
 */
import type { ComponentLocation } from '../api/types';
import { addressFollowed } from '../route-sync';
import { navigate } from '../routing';
import { useStore } from '../store';
import { requestFocus } from './canvas-focus';

export interface CanvasTarget extends Pick<ComponentLocation, 'groups' | 'id'> {
  flowId: string;
  /** A connection is an edge of its level; everything else a node. */
  edge?: boolean;
}

/** Shows the target on the canvas, selected and centred; false (with a notice) when it is not there. */
export async function goTo(target: CanvasTarget): Promise<boolean> {
  navigate({ page: 'canvas', flowId: target.flowId, groups: target.groups });
  await addressFollowed();
  const st = useStore.getState();
  const shown = st.meta?.id === target.flowId && st.path.join('/') === target.groups.join('/');
  if (target.edge) {
    const edge = shown ? st.edges.find((e) => e.id === target.id) : undefined;
    if (edge) {
      st.select({ edges: [edge.id] });
      requestFocus({ nodes: [...new Set([edge.source, edge.target])] });
      return true;
    }
  } else if (shown && [...st.nodes, ...st.others].some((n) => n.id === target.id)) {
    st.select({ nodes: [target.id] });
    requestFocus({ nodes: [target.id] });
    return true;
  }
  if (st.meta?.id === target.flowId)
    st.notify(`"${target.id}" is no longer on the canvas of flow "${target.flowId}".`, 'error');
  return false;
}
