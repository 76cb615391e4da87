/**
 * Everything a Sluice process runs on NATS: the connection, one work-queue stream and content bucket per
 * flow, a queue (durable consumer) per connection, and the provenance stream. `queueFactory` and
 * `provenance` plug into FlowEngine / FlowManager; the engine code above them is the same as in-process.
 */
import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  DiscardPolicy,
  nanos,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from 'nats';
import type { ResolvedConnection } from '../../flows/flow-schema';
import type { ProcessorLogger } from '../engine/contract';
import type { QueueFactory } from '../engine/flow-engine';
import type { Prioritizer } from '../engine/queue';
import type { CommitWriter } from '../engine/session-commit';
import { ContentStore } from './content-store';
import { JetStreamProvenanceStore, type ProvenanceStreamOptions } from './jetstream-provenance-store';
import { JetStreamQueue } from './jetstream-queue';
import { connectionConsumer, connectionSubject, flowStream, flowSubjects } from './names';
import { natsCommitWriter } from './nats-commit';
import { NatsLink, type NatsLinkStatus } from './nats-link';
import { apiError } from './retry';
import { TxnLedger } from './txn-ledger';

export interface NatsBackendOptions {
  url: string;
  logger?: ProcessorLogger;
  /** How long a delivered message may go without an ack or in-progress ack before redelivery. Default 30 s. */
  ackWaitMs?: number;
  /** Content above this many bytes travels through the Object Store. Default 256 KiB. */
  inlineLimit?: number;
  /** The provenance stream's retention, or false to keep provenance in memory (not created here). */
  provenance?: ProvenanceStreamOptions | false;
  /** Called with a one-line message after each failed first connection attempt. */
  onRetry?: (message: string) => void;
  /** Aborts the first connection attempts. */
  signal?: AbortSignal;
  /** The hard per-connection ceiling in messages (`discard: new`); default from the backpressure thresholds. */
  maxMessagesPerSubject?: number;
  /** Copies of every stream and bucket this back end creates (1; 3 on a three-node cluster). Default 1. */
  replicas?: number;
  /** How long session decisions are kept, ms (default 24 h; see txn-ledger). */
  txnTtlMs?: number;
  /** A session undecided this long after its first message was stored is aborted by its readers, ms. */
  txnDecideAfterMs?: number;
}

interface FlowResources {
  connections: Map<string, ResolvedConnection>;
  content: ContentStore;
  stream?: { ceiling: number; ready: Promise<void> };
}

/** Messages per connection subject at most: far above any backpressure threshold, a guard, not a limit. */
export function subjectCeiling(connections: Iterable<ResolvedConnection>): number {
  let max = 0;
  for (const c of connections) max = Math.max(max, c.backPressure.objects);
  return Math.max(100_000, 4 * max);
}

/** A session still undecided this long after its first message is aborted by its readers. */
const DECIDE_AFTER_MS = 15_000;

/** JetStream: "stream name already in use with a different configuration". */
const STREAM_NAME_IN_USE = 10058;

export class NatsBackend {
  private readonly flows = new Map<string, FlowResources>();
  private readonly queues = new Set<JetStreamQueue>();
  readonly ackWaitMs: number;
  readonly queueFactory: QueueFactory = (flowId, c) => this.createQueue(flowId, c);
  /** Applies a session: outputs and provenance under one transaction, then its decision (see nats-commit). */
  readonly commitWriter: CommitWriter;

  private constructor(
    readonly link: NatsLink,
    readonly provenance: JetStreamProvenanceStore | undefined,
    readonly ledger: TxnLedger,
    private readonly options: NatsBackendOptions,
  ) {
    this.ackWaitMs = options.ackWaitMs ?? 30_000;
    provenance?.attachLedger(ledger);
    this.commitWriter = natsCommitWriter(ledger, provenance);
  }

  /** Connects (retrying while NATS is unreachable) and opens the provenance stream. */
  static async open(options: NatsBackendOptions): Promise<NatsBackend> {
    const link = await NatsLink.open(options.url, {
      logger: options.logger,
      onRetry: options.onRetry,
      signal: options.signal,
    });
    try {
      const ledger = await TxnLedger.open(link, {
        replicas: options.replicas,
        logger: options.logger,
        // Far longer than a healthy commit takes (milliseconds). Aborting one still in progress is safe (its
        // commit then finds "a" and rolls back); waiting longer only keeps a dead session's messages held.
        decideAfterMs: options.txnDecideAfterMs ?? DECIDE_AFTER_MS,
        ...(options.txnTtlMs !== undefined && { ttlMs: options.txnTtlMs }),
      });
      const provenance =
        options.provenance === false
          ? undefined
          : await JetStreamProvenanceStore.open(link, {
              logger: options.logger,
              replicas: options.replicas,
              ...options.provenance,
            });
      return new NatsBackend(link, provenance, ledger, options);
    } catch (err) {
      await link.close();
      throw err;
    }
  }

  private flow(flowId: string): FlowResources {
    let f = this.flows.get(flowId);
    if (!f) {
      f = {
        connections: new Map(),
        content: new ContentStore(
          this.link,
          flowId,
          this.options.inlineLimit,
          this.options.logger,
          this.options.replicas,
        ),
      };
      this.flows.set(flowId, f);
    }
    return f;
  }

  createQueue(flowId: string, c: ResolvedConnection): JetStreamQueue {
    const flow = this.flow(flowId);
    flow.connections.set(c.id, c);
    const subject = connectionSubject(flowId, c.id);
    const consumerConfig: Partial<ConsumerConfig> = {
      ack_policy: AckPolicy.Explicit,
      filter_subject: subject,
      ack_wait: nanos(this.ackWaitMs),
      // Unlimited: a failing FlowFile is retried after its penalty for as long as it fails, as in-process;
      // it never exhausts a delivery limit and vanishes. Status shows it as redelivered.
      max_deliver: -1,
      max_ack_pending: Math.max(20_000, 4 * c.backPressure.objects),
      deliver_policy: DeliverPolicy.All,
      replay_policy: ReplayPolicy.Instant,
      description: `Sluice connection ${c.id} of flow ${flowId}`,
    };
    const queue: JetStreamQueue = new JetStreamQueue(
      c.id,
      {
        link: this.link,
        flowId,
        stream: flowStream(flowId),
        subject,
        durable: connectionConsumer(c.id),
        content: flow.content,
        streamReady: () => this.ensureStream(flowId),
        consumerConfig,
        ledger: this.ledger,
        ackWaitMs: this.ackWaitMs,
        logger: this.options.logger,
        forget: () => this.queues.delete(queue),
      },
      c.prioritizer as Prioritizer,
    );
    this.queues.add(queue);
    return queue;
  }

  /** Creates the flow's stream, or raises its per-subject ceiling when connections changed. */
  private ensureStream(flowId: string): Promise<void> {
    const flow = this.flow(flowId);
    const ceiling = this.options.maxMessagesPerSubject ?? subjectCeiling(flow.connections.values());
    if (flow.stream && flow.stream.ceiling >= ceiling) return flow.stream.ready;
    const config: Partial<StreamConfig> & { name: string } = {
      name: flowStream(flowId),
      subjects: [flowSubjects(flowId)],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      num_replicas: this.options.replicas ?? 1,
      // Never `discard: old`: that would silently delete FlowFiles. A full subject rejects the publish and the
      // session rolls back instead.
      discard: DiscardPolicy.New,
      discard_new_per_subject: true,
      max_msgs_per_subject: ceiling,
      allow_direct: true,
      duplicate_window: nanos(120_000),
      description: `Sluice queues of flow ${flowId}`,
    };
    const { jsm } = this.link;
    const update = async () => {
      const info = await jsm.streams.info(config.name);
      if (info.config.max_msgs_per_subject < ceiling || info.config.discard !== DiscardPolicy.New)
        await jsm.streams.update(config.name, { ...info.config, ...config });
    };
    // After the previous create or update of this flow's stream (a flow's connections arrive one by one and may
    // raise the ceiling while the first create is on its way); another process may create it first, too.
    const previous = flow.stream?.ready.catch(() => {}) ?? Promise.resolve();
    const ready = previous.then(async () => {
      const exists = await jsm.streams.info(config.name).then(
        () => true,
        () => false,
      );
      if (exists) return update();
      try {
        await jsm.streams.add(config);
      } catch (err) {
        if (apiError(err)?.err_code !== STREAM_NAME_IN_USE) throw err;
        await update();
      }
    });
    flow.stream = { ceiling, ready };
    ready.catch(() => {
      if (flow.stream?.ready === ready) flow.stream = undefined;
    });
    return ready;
  }

  /** Resolves once every queue created so far has its stream and consumer and has read its depth. */
  async ready(): Promise<void> {
    await Promise.all([...this.queues].map((q) => q.ready()));
  }

  /** Reads every queue's depth from consumer info now. */
  async refresh(): Promise<void> {
    await Promise.all([...this.queues].map((q) => q.refresh()));
  }

  /** FlowFiles per message published so far (a message carries a batch). */
  flowFilesPerMessage(): number {
    let messages = 0;
    let flowFiles = 0;
    for (const q of this.queues) {
      messages += q.publisher.stats.messages;
      flowFiles += q.publisher.stats.flowFiles;
    }
    return messages === 0 ? 0 : flowFiles / messages;
  }

  status(): NatsLinkStatus {
    return this.link.status();
  }

  /** Hands held messages back to the streams (for other engines), then closes the connection. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.queues].map((q) => q.close()));
    this.queues.clear();
    await Promise.all([...this.flows.values()].map((f) => f.content.settle()));
    await this.provenance?.close().catch(() => {});
    await this.ledger.close();
    await this.link.close();
  }
}
