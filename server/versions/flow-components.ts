/**
 * A flow JSON taken apart into its components, each keyed by kind, group path and id, with its own properties
 * (a group's without its children, a parameter context's parameters keyed by name). The structural diff and the
 * three-way merge both walk flows this way; the document need not be a valid flow (missing parts are skipped).
 */

import { isPlainObject } from './stable-json';
import type { ComponentKind } from './version-types';

export interface FlowComponent {
  kind: ComponentKind;
  id: string;
  group: string[];
  /** The component's own properties (children of a group and the flow's parts are left out). */
  props: Record<string, unknown>;
}

/** The arrays of a flow or group that hold components, and the kind each holds. */
export const CHILD_LISTS: readonly [string, ComponentKind][] = [
  ['services', 'service'],
  ['processors', 'processor'],
  ['connections', 'connection'],
  ['funnels', 'funnel'],
  ['inputPorts', 'inputPort'],
  ['outputPorts', 'outputPort'],
  ['labels', 'label'],
  ['groups', 'group'],
];
const CHILD_KEYS = new Set([...CHILD_LISTS.map(([key]) => key), 'parameterContexts']);

export const componentKey = (c: { kind: string; id: string; group: readonly string[] }): string =>
  JSON.stringify([c.kind, c.group, c.id]);

/** Every component of the flow in a stable order: the flow, its parameter contexts, then group by group. */
export function flowComponents(flow: unknown): FlowComponent[] {
  if (!isPlainObject(flow)) return [];
  const out: FlowComponent[] = [
    { kind: 'flow', id: typeof flow.id === 'string' ? flow.id : '', group: [], props: ownProps(flow) },
  ];
  for (const context of Array.isArray(flow.parameterContexts) ? flow.parameterContexts : []) {
    if (!isPlainObject(context) || typeof context.id !== 'string') continue;
    out.push({ kind: 'parameterContext', id: context.id, group: [], props: contextProps(context) });
  }
  walk(flow, [], out);
  return out;
}

function walk(container: Record<string, unknown>, group: string[], out: FlowComponent[]): void {
  for (const [key, kind] of CHILD_LISTS) {
    const list = container[key];
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      if (!isPlainObject(item) || typeof item.id !== 'string') continue;
      out.push({ kind, id: item.id, group, props: kind === 'group' ? ownProps(item) : item });
      if (kind === 'group') walk(item, [...group, item.id], out);
    }
  }
}

function ownProps(container: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(container).filter(([key]) => !CHILD_KEYS.has(key)));
}

/** A context with its parameters as an object keyed by name, so a change reads `parameters.name.value`. */
function contextProps(context: Record<string, unknown>): Record<string, unknown> {
  const { parameters, ...rest } = context;
  if (!Array.isArray(parameters)) return context;
  const byName: Record<string, unknown> = {};
  for (const p of parameters) if (isPlainObject(p) && typeof p.name === 'string') byName[p.name] = p;
  return { ...rest, parameters: byName };
}
