/**
 * Opening a page of the side panel (parameters, services, one service). A page belongs to the selection it was
 * opened for: selecting something else shows that instead, and "Back" returns to the selection's own panel.
 */
import type { AppState } from '../../store';
import { useStore } from '../../store';
import type { SideView } from '../../store/ui-slice';

/** The id of the one selected thing ('' for none or several): what the side panel shows. */
export function selectionKey(s: Pick<AppState, 'nodes' | 'edges' | 'others'>): string {
  const picked = [
    ...s.nodes.filter((n) => n.selected),
    ...s.edges.filter((e) => e.selected),
    ...s.others.filter((n) => n.selected),
  ];
  return picked.length === 1 ? picked[0]!.id : '';
}

type Page = SideView extends infer V ? (V extends SideView ? Omit<V, 'for'> : never) : never;

export function openSideView(view: Page): void {
  const s = useStore.getState();
  s.setSideView({ ...view, for: selectionKey(s) } as SideView);
}

export function closeSideView(): void {
  useStore.getState().setSideView(null);
}

/** Shows processor `id` of level `path`: that level, the processor selected (its panel opens). */
export function selectProcessorAt(path: readonly string[], id: string): void {
  const s = useStore.getState();
  const here = s.path;
  let common = 0;
  while (common < path.length && common < here.length && path[common] === here[common]) common++;
  if (common < here.length) s.goToLevel(common);
  for (const g of path.slice(common)) useStore.getState().enterGroup(g);
  useStore.getState().select({ nodes: [id] });
  useStore.getState().setSideView(null);
}
