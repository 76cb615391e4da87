/**
 * Every component of a flow definition as written (processors, connections, groups, ports, funnels, labels),
 * each with where the canvas draws it: the group ids of its level (outermost first) and its id there, plus its
 * global id (what the engine and the status use, see server/validation/flatten-groups.ts). It reads a stored
 * definition that may not validate, so every field is checked before use and nothing is assumed present.
 */
import { GROUP_SEPARATOR } from '../validation/flatten-groups';

export type ComponentKind = 'processor' | 'connection' | 'group' | 'inputPort' | 'outputPort' | 'funnel' | 'label';

/** Where a component is drawn: the level (group ids, outermost first) and its id at that level. */
export interface ComponentLocation {
  groups: string[];
  /** The names of those groups (their ids where they have none), for "Intake › Checks". */
  groupNames: string[];
  id: string;
}

export interface FlowComponent extends ComponentLocation {
  kind: ComponentKind;
  globalId: string;
  /** Its name, or its id when it has none (a label: the start of its text). */
  name: string;
  /** The component as written (its config, relationships, text...). */
  spec: Record<string, unknown>;
}

const MAX_DEPTH = 16;
const LABEL_NAME_LENGTH = 60;

/** Every component of a definition, level by level (the flow first, then each group, depth first). */
export function componentsOf(definition: unknown): FlowComponent[] {
  const out: FlowComponent[] = [];
  const visit = (scope: Record<string, unknown>, groups: string[], groupNames: string[]) => {
    const at = (kind: ComponentKind, spec: Record<string, unknown>, name: string) => {
      const id = spec.id as string;
      out.push({ kind, groups, groupNames, id, globalId: [...groups, id].join(GROUP_SEPARATOR), name, spec });
    };
    for (const p of objects(scope.processors)) at('processor', p, named(p));
    for (const c of objects(scope.connections)) at('connection', c, named(c));
    for (const f of objects(scope.funnels)) at('funnel', f, f.id as string);
    for (const l of objects(scope.labels)) at('label', l, labelName(l));
    if (groups.length > 0) {
      for (const p of objects(scope.inputPorts)) at('inputPort', p, named(p));
      for (const p of objects(scope.outputPorts)) at('outputPort', p, named(p));
    }
    const children = objects(scope.groups);
    for (const g of children) at('group', g, named(g));
    if (groups.length >= MAX_DEPTH) return;
    for (const g of children) visit(g, [...groups, g.id as string], [...groupNames, named(g)]);
  };
  if (isObject(definition)) visit(definition, [], []);
  return out;
}

/** The elements of a list that are objects with a string id (anything else in a stored flow is skipped). */
function objects(list: unknown): Record<string, unknown>[] {
  if (!Array.isArray(list)) return [];
  return list.filter((x): x is Record<string, unknown> => isObject(x) && typeof x.id === 'string');
}

function named(spec: Record<string, unknown>): string {
  return typeof spec.name === 'string' && spec.name !== '' ? spec.name : (spec.id as string);
}

function labelName(spec: Record<string, unknown>): string {
  const text = typeof spec.text === 'string' ? spec.text.trim().split('\n')[0]! : '';
  if (text === '') return spec.id as string;
  return text.length > LABEL_NAME_LENGTH ? `${text.slice(0, LABEL_NAME_LENGTH - 1)}…` : text;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
