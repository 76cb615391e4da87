import type { ProcessorStateValues } from './contract';
import type { FlowFile } from './flowfile';
import type { ProvenanceBatch } from './provenance-batch';
import type { FlowFileQueue } from './queue';

/**
 * Everything one session changes, gathered at commit: what goes into which queue, which inputs are done
 * and which go back, the provenance of it all and the processor's new state. A repository applies it as
 * one unit (NiFi's StandardProcessSession.commit: provenance, FlowFile repository, queues, acknowledgement).
 */
export interface SessionCommit {
  readonly flowId: string;
  readonly processorId: string;
  readonly time: number;
  /** New queue entries, per destination queue, in order. */
  readonly outputs: ReadonlyMap<FlowFileQueue, FlowFile[]>;
  /** Inputs this session consumed, per source queue. */
  readonly acknowledged: ReadonlyMap<FlowFileQueue, FlowFile[]>;
  /** Unchanged inputs handed back to the front of their queue (session.requeue). */
  readonly requeued: ReadonlyMap<FlowFileQueue, FlowFile[]>;
  /** Original versions of inputs whose content changed (content before the event), by FlowFile id. */
  readonly previous: ReadonlyMap<string, FlowFile>;
  readonly provenance: ProvenanceBatch | undefined;
  /** The processor's state after this session; undefined when the session did not set it. */
  readonly state: ProcessorStateValues | undefined;
}

/** Makes a session's changes happen: durable and visible before it resolves, or not at all when it throws. */
export type CommitWriter = (commit: SessionCommit) => Promise<void>;

/**
 * The plain way to apply a commit, for queues that are their own record (in memory, or a broker whose
 * publish is durable): outputs and provenance side by side (one round trip on a broker, not two), then the
 * inputs acknowledged, so a crash in between means redelivery, never loss.
 */
export function applyCommitWith(appendProvenance: (batch: ProvenanceBatch) => void | Promise<void>): CommitWriter {
  return async (commit) => {
    const writes: (void | Promise<void>)[] = [];
    for (const [queue, batch] of commit.outputs) writes.push(queue.offer(batch));
    if (commit.provenance && commit.provenance.length > 0) writes.push(appendProvenance(commit.provenance));
    await Promise.all(writes);
    await releaseInputs(commit);
  };
}

/** Acknowledges what the session consumed and puts requeued inputs back at the front, unpenalized. */
export async function releaseInputs(commit: SessionCommit): Promise<void> {
  for (const [queue, ffs] of commit.acknowledged) await queue.acknowledge(ffs);
  for (const [queue, ffs] of commit.requeued) await queue.requeue(ffs, 0, commit.time);
}
