/** A group card's roll-up: the state of every processor under the group (at any depth) and the FlowFiles queued. */
import type { GroupSpec } from '../../../flows/flow-schema';
import type { FlowStatus } from '../api/types';
import { globalIdAt } from '../flow-mapping';
import type { ComponentIssue } from '../lib/issues';
import { displayState } from './node-state';

export interface RollUp {
  running: number;
  stopped: number;
  invalid: number;
  queued: number;
}

/**
 * Counts over the processors of `group` and its groups, named by their global ids (`path` is where the group
 * is: the ids of the groups around it).
 */
export function rollUp(
  group: Pick<GroupSpec, 'id' | 'processors' | 'connections' | 'groups'>,
  path: readonly string[],
  status: FlowStatus | null | undefined,
  issues: Readonly<Record<string, readonly ComponentIssue[] | undefined>> = {},
): RollUp {
  const out: RollUp = { running: 0, stopped: 0, invalid: 0, queued: 0 };
  const walk = (g: typeof group, where: readonly string[]) => {
    const inner = [...where, g.id];
    for (const p of g.processors ?? []) {
      const id = globalIdAt(inner, p.id);
      const state = displayState(status?.processors[id], issues[id], p.disabled);
      if (state === 'running' || state === 'starting') out.running++;
      else if (state === 'invalid') out.invalid++;
      else out.stopped++;
    }
    for (const c of g.connections ?? []) out.queued += status?.connections[globalIdAt(inner, c.id)]?.count ?? 0;
    for (const child of g.groups ?? []) walk(child, inner);
  };
  walk(group, path);
  return out;
}
