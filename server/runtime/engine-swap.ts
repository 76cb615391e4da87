import type { ResolvedFlow } from '../../flows/flow-schema';
import { QUARANTINE_SUFFIX } from '../engine/backpressure';
import type { ApplyOptions, ApplyResult, FlowEngine, QueueFactory } from '../engine/flow-engine';
import type { FlowFile } from '../engine/flowfile';
import type { FlowFileQueue } from '../engine/queue';
import type { ValidationIssue } from '../validation/ajv';
import { ConflictError } from './errors';

/**
 * Connections of the running definition that the new one drops while they still hold FlowFiles: replacing
 * the flow would lose them, so the caller refuses (409) and names each one.
 */
export function nonEmptyRemovals(old: FlowEngine, next: ResolvedFlow): ValidationIssue[] {
  const kept = new Set(next.connections.map((c) => c.id));
  const issues: ValidationIssue[] = [];
  for (const c of old.connections.values()) {
    if (kept.has(c.id)) continue;
    const { count } = c.queue.depth();
    if (count > 0)
      issues.push({
        path: '/connections',
        message: `connection "${c.id}" is removed but still holds ${count} FlowFile(s); empty its queue first or keep the connection`,
      });
  }
  return issues;
}

/**
 * The one way a new definition reaches a running flow (the server, `sluice serve` on NATS, the cluster
 * workers): FlowEngine.apply, which restarts only what changed, refusing (409) a definition that would drop
 * connections still holding FlowFiles, checked once before anything stops and again once the processors around
 * them have stopped (nothing can enter them then), before `beforeChange` (saving it) runs. `dropQueued` skips
 * the check: a cluster worker follows the definition the server accepted.
 */
export async function applyFlow(
  engine: FlowEngine,
  next: ResolvedFlow,
  options: ApplyOptions & { dropQueued?: boolean } = {},
): Promise<ApplyResult> {
  const { dropQueued, beforeChange, ...rest } = options;
  const refuse = () => {
    if (dropQueued) return;
    const blocked = nonEmptyRemovals(engine, next);
    if (blocked.length > 0) throw new ConflictError('the new definition would drop queued FlowFiles', blocked);
  };
  refuse();
  return engine.apply(next, {
    ...rest,
    beforeChange: async () => {
      refuse();
      await beforeChange?.();
    },
  });
}

/**
 * A queue factory for a new engine built in place of an old one (FlowEngine.apply does the same in place): a
 * connection that still exists keeps its queue object (so its FlowFiles stay where they are); one whose
 * prioritizer changed gets a new queue, and its FlowFiles are collected in `moves` for the caller to offer
 * once the engine exists.
 */
export function handoverQueues(
  old: FlowEngine | undefined,
  base: QueueFactory,
): { factory: QueueFactory; moves: Map<string, FlowFile[]> } {
  const moves = new Map<string, FlowFile[]>();
  const factory: QueueFactory = (flowId, c) => {
    // A kept connection keeps its quarantine too.
    if (c.id.endsWith(QUARANTINE_SUFFIX)) {
      const owner = old?.connections.get(c.id.slice(0, -QUARANTINE_SUFFIX.length));
      return owner ? owner.quarantine : base(flowId, c);
    }
    const previous = old?.connections.get(c.id);
    if (!previous) return base(flowId, c);
    if (previous.spec.prioritizer === c.prioritizer) return previous.queue;
    // On a broker the FlowFiles stay where they are; the old queue hands back what it holds when closed.
    if (previous.queue.onBroker) return base(flowId, c);
    const waiting = previous.queue.clear();
    const queue: FlowFileQueue = base(flowId, c);
    if (waiting.length > 0) moves.set(c.id, waiting);
    return queue;
  };
  return { factory, moves };
}

/** Offers the FlowFiles collected by handoverQueues to the new engine's queues. */
export async function completeMoves(engine: FlowEngine, moves: Map<string, FlowFile[]>): Promise<void> {
  for (const [id, ffs] of moves) await engine.connection(id).queue.offer(ffs);
}

/**
 * Closes the queues of `old` that `next` does not use (a connection removed or replaced, and their
 * quarantines), or all of them when the flow goes away: a broker-backed queue would go on pulling otherwise.
 */
export async function closeDroppedQueues(old: FlowEngine, next: FlowEngine | undefined): Promise<void> {
  const ops: Promise<void>[] = [];
  for (const c of old.connections.values()) {
    const kept = next?.connections.get(c.id);
    if (kept?.queue !== c.queue) ops.push(c.queue.close().catch(() => {}));
    if (kept?.quarantine !== c.quarantine) ops.push(c.quarantine.close().catch(() => {}));
  }
  await Promise.all(ops);
}
