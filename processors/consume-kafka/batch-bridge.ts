/**
 * Between kafkajs's `eachBatch` and Sluice's sessions: a fetched batch goes to the inbox, and its handler
 * waits (heartbeating) until a session has committed every record, then resolves the offsets and commits
 * the next offset of the partition. So an offset is committed only after its FlowFile is safe downstream
 * (at-least-once), and a partition is not fetched further while its batch waits: that is the backpressure.
 * A rollback puts records back in the inbox; a rebalance abandons the batch (the next owner re-reads it).
 */
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { nextOffset } from '../kafka-messages';
import type { Inbox } from '../message-inbox';

export interface Record {
  topic: string;
  partition: number;
  message: KafkaMessage;
  batch: BatchWait;
}

export interface BatchWait {
  size: number;
  committed: number;
  abandoned: boolean;
  /** Called when `committed` reaches `size`. */
  done(): void;
}

export type BatchPayload = Pick<
  EachBatchPayload,
  'batch' | 'resolveOffset' | 'heartbeat' | 'commitOffsetsIfNecessary' | 'isRunning' | 'isStale'
>;

export class BatchBridge {
  constructor(
    private readonly inbox: Inbox<Record>,
    private readonly heartbeatMs = 1000,
  ) {}

  /** The eachBatch handler (with `eachBatchAutoResolve: false` and `autoCommit: false`). */
  async handle(payload: BatchPayload): Promise<void> {
    const { batch } = payload;
    const messages = batch.messages;
    if (messages.length === 0) return;
    let signal!: () => void;
    const allDone = new Promise<void>((resolve) => {
      signal = resolve;
    });
    const wait: BatchWait = { size: messages.length, committed: 0, abandoned: false, done: signal };
    for (const message of messages)
      this.inbox.push({ topic: batch.topic, partition: batch.partition, message, batch: wait });
    try {
      while (wait.committed < messages.length) {
        if (!payload.isRunning() || payload.isStale()) return this.abandon(wait);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([allDone, new Promise((r) => (timer = setTimeout(r, this.heartbeatMs)))]);
        clearTimeout(timer);
        if (wait.committed < messages.length) await payload.heartbeat();
      }
    } catch (err) {
      this.abandon(wait);
      throw err;
    }
    for (const m of messages) payload.resolveOffset(m.offset);
    await payload.commitOffsetsIfNecessary({
      topics: [
        {
          topic: batch.topic,
          partitions: [{ partition: batch.partition, offset: nextOffset(messages.at(-1)!.offset) }],
        },
      ],
    });
  }

  /** A session with these records committed. */
  committed(records: readonly Record[]): void {
    const touched = new Set<BatchWait>();
    for (const r of records) {
      if (r.batch.abandoned) continue;
      r.batch.committed++;
      touched.add(r.batch);
    }
    for (const wait of touched) if (wait.committed >= wait.size) wait.done();
  }

  private abandon(wait: BatchWait): void {
    wait.abandoned = true;
    this.inbox.discard((r) => r.batch === wait);
  }
}
