/**
 * Which canvas items of the level shown a structural diff marks, and how: an item added since the version is
 * green, changed amber (a group holding any change too), moved blue; an item removed since is drawn as a red
 * ghost at its old position. Pure: the diff overlay draws what this returns.
 */
import type { ComponentChange, FlowStructuralDiff } from '../api/types';

export type DiffMarkKind = 'added' | 'changed' | 'moved';

/** Node types of the canvas and the diff kinds they show. */
const NODE_KIND: Record<string, ComponentChange['kind']> = {
  processor: 'processor',
  processGroup: 'group',
  funnel: 'funnel',
  label: 'label',
  inputPort: 'inputPort',
  outputPort: 'outputPort',
};

const samePath = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((s, i) => s === b[i]);
const inside = (group: readonly string[], path: readonly string[]) =>
  group.length > path.length && path.every((s, i) => s === group[i]);

export interface DiffMarks {
  /** Node id → its mark and the changes to list. */
  nodes: Map<string, { mark: DiffMarkKind; changes: ComponentChange[] }>;
  /** Removed components of this level, at their old position. */
  ghosts: ComponentChange[];
}

export function diffMarks(
  diff: FlowStructuralDiff | null,
  path: readonly string[],
  nodes: readonly { id: string; type?: string }[],
): DiffMarks {
  const out: DiffMarks = { nodes: new Map(), ghosts: [] };
  if (!diff) return out;
  const here = diff.components.filter((c) => samePath(c.group, path));
  out.ghosts = here.filter((c) => c.change === 'removed' && NODE_KIND_VALUES.has(c.kind) && c.position);
  for (const node of nodes) {
    const kind = NODE_KIND[node.type ?? ''];
    if (!kind) continue;
    const own = here.filter((c) => c.kind === kind && c.id === node.id && c.change !== 'removed');
    const nested = kind === 'group' ? diff.components.filter((c) => inside(c.group, [...path, node.id])) : [];
    const changes = [...own, ...nested];
    if (changes.length === 0) continue;
    const mark: DiffMarkKind =
      own[0]?.change === 'added' ? 'added' : own[0]?.change === 'moved' && nested.length === 0 ? 'moved' : 'changed';
    out.nodes.set(node.id, { mark, changes });
  }
  return out;
}

const NODE_KIND_VALUES = new Set(Object.values(NODE_KIND));

/** `config.batchSize: 20 → 50`, a sensitive value only as changed. */
export function describeChange(change: { path: string; old?: unknown; new?: unknown; sensitive?: true }): string {
  if (change.sensitive) return `${change.path}: changed (sensitive)`;
  const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));
  return `${change.path}: ${show(change.old)} → ${show(change.new)}`;
}

/** `processor "gen" (Generate) in intake/checks`. */
export function describeComponent(c: ComponentChange): string {
  const name = c.name !== undefined && c.name !== c.id ? ` (${c.name})` : '';
  const where = c.group.length > 0 ? ` in ${c.group.join('/')}` : '';
  return `${c.kind} "${c.id}"${name}${where}`;
}
