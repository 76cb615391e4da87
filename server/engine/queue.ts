import type { FlowFile } from '../engine/flowfile';

/** A FlowFile waiting in a connection, as the queue inspector lists it. */
export interface QueuedFlowFile {
  position: number;
  id: string;
  attributes: Readonly<Record<string, string>>;
  size: number;
  ageMs: number;
  penalized: boolean;
}

export interface QueueDepth {
  /** FlowFiles queued, penalized or taken by a session not yet committed. */
  count: number;
  bytes: number;
  inFlight: number;
  penalized: number;
  /** Broker-backed queues: messages delivered to some consumer and not yet acknowledged. */
  ackPending?: number;
  /** Broker-backed queues: FlowFiles this process received again (after a nak, an ack timeout or a crash). */
  redelivered?: number;
  /** Broker-backed queues: messages holding the FlowFiles (a message carries a batch). */
  messages?: number;
}

/**
 * The engine's queue port (as NiFi's FlowFileQueue belongs to its framework): one connection's queue, which
 * the storage back ends implement (storage/memory-queue.ts, storage/durable/, nats/jetstream-queue.ts).
 * The engine is the only caller: it takes batches for a session, acknowledges
 * them when the session commits and requeues them (penalized) when it rolls back. Depth counts every
 * FlowFile not yet acknowledged, so backpressure sees in-flight work too.
 */
export interface FlowFileQueue {
  readonly connectionId: string;
  depth(): QueueDepth;
  /** True when at least one FlowFile can be taken now (not penalized). A query: it changes nothing. */
  hasAvailable(now: number): boolean;
  /** When the next penalized FlowFile becomes available, if any. */
  nextRelease(): number | undefined;
  offer(ffs: readonly FlowFile[]): void | Promise<void>;
  take(max: number, now: number): FlowFile[] | Promise<FlowFile[]>;
  acknowledge(ffs: readonly FlowFile[]): void | Promise<void>;
  requeue(ffs: readonly FlowFile[], penaltyMs: number, now: number): void | Promise<void>;
  /** Removes and returns FlowFiles older than `maxAgeMs` (by entry date) that are not in flight. */
  expire(maxAgeMs: number, now: number): FlowFile[];
  oldestEntryDate(): number | undefined;
  list(limit: number, now: number): QueuedFlowFile[];
  find(flowFileId: string): FlowFile | undefined;
  /** Removes and returns every FlowFile not in flight. */
  clear(): FlowFile[];
  /** Releases what the queue holds on its back end (consumers, subscriptions); its FlowFiles stay stored. */
  close(): Promise<void>;
  /**
   * The FlowFiles live on a broker every process reads (NATS): a new queue on the same connection finds
   * them there, so replacing the queue means closing the old one, never moving its FlowFiles.
   */
  readonly onBroker?: boolean;
  /**
   * Sets the one listener told when FlowFiles arrive that this process did not offer (another engine process
   * published them, or a broker redelivered them); a later call replaces it. In-process queues need none.
   */
  onAvailable?(listener: () => void): void;
  /**
   * Broker-backed queues, whose `clear`/`list`/`find` see only what this process fetched: every waiting
   * FlowFile removed (`drain`), listed (`browse`) or found (`lookup`) wherever it waits.
   */
  drain?(): Promise<FlowFile[]>;
  browse?(limit: number, now: number): Promise<QueuedFlowFile[]>;
  lookup?(flowFileId: string): Promise<FlowFile | undefined>;
}

export type Prioritizer = 'fifo' | 'oldest-first' | 'newest-first' | 'priority-attribute';
