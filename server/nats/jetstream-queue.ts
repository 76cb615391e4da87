/**
 * A connection's queue on NATS JetStream: the FlowFiles live in the flow's work-queue stream, in messages of
 * many FlowFiles, and every engine process running the flow pulls from the connection's one durable consumer.
 *
 * This process keeps a small prefetch buffer (pulled only while the target processor asks for input), so the
 * engine's synchronous calls answer from memory. A message is acknowledged once all its FlowFiles are
 * acknowledged (or dropped); a message whose FlowFiles all come back from a failed session is nak'ed with the
 * penalty as delay, so any engine may retry it. Messages held here get in-progress acks every third of
 * `ack_wait`, and a message of a crashed process is redelivered after `ack_wait`.
 */
import type { ConsumerConfig, JsMsg } from 'nats';
import type { ProcessorLogger } from '../engine/contract';
import type { FlowFile } from '../engine/flowfile';
import type { FlowFileQueue, Prioritizer, QueueDepth, QueuedFlowFile } from '../engine/queue';
import type { ContentStore } from './content-store';
import { PrefetchBuffer } from './jetstream-prefetch';
import { type Delivery, PullLoop } from './jetstream-pull-loop';
import { QueueBrowser, queued, StreamPeek } from './jetstream-queue-browser';
import type { NatsLink } from './nats-link';
import { QueueAccounting } from './queue-accounting';
import { type PublishTag, QueuePublisher } from './queue-publisher';
import { withRetry } from './retry';
import type { TxnLedger } from './txn-ledger';

export interface JetStreamQueueContext {
  link: NatsLink;
  flowId: string;
  stream: string;
  subject: string;
  durable: string;
  content: ContentStore;
  /** Creates (or updates) the flow's stream; shared by the flow's queues. */
  streamReady: () => Promise<void>;
  consumerConfig: Partial<ConsumerConfig>;
  /** Decides whether a session's messages count (see txn-ledger). */
  ledger: TxnLedger;
  ackWaitMs: number;
  logger?: ProcessorLogger;
  /** Called when the queue is closed (the back end stops tracking it). */
  forget?: () => void;
}

export class JetStreamQueue implements FlowFileQueue {
  private readonly buffer: PrefetchBuffer;
  /** The message each FlowFile fetched here came in (FlowFile objects, so duplicates never mix). */
  private readonly holders = new WeakMap<FlowFile, Delivery>();
  private readonly deliveries = new Set<Delivery>();
  /** Messages nak'ed with a delay: penalized in the stream until then. */
  private readonly naked = new Map<number, { until: number; count: number }>();
  private listener: (() => void) | undefined;
  private readonly acking = new Set<Promise<void>>();
  readonly publisher: QueuePublisher;
  private readonly puller: PullLoop;
  private readonly peek: StreamPeek;
  readonly accounting = new QueueAccounting();
  private inFlight = 0;
  private inFlightBytes = 0;
  private redelivered = 0;
  private readonly initialized: Promise<void>;
  private closed = false;
  readonly onBroker = true;

  constructor(
    readonly connectionId: string,
    private readonly ctx: JetStreamQueueContext,
    prioritizer: Prioritizer = 'fifo',
  ) {
    this.buffer = new PrefetchBuffer(prioritizer);
    this.publisher = new QueuePublisher(ctx.link, ctx.subject, ctx.content, { logger: ctx.logger });
    this.puller = new PullLoop(ctx, this.accounting, {
      buffered: () => ({ count: this.buffer.count, bytes: this.buffer.bytes }),
      receive: (d, ffs) => this.receive(d, ffs),
      deliveries: () => this.deliveries,
      releaseIdle: () => this.releaseIdle(),
      rebind: (m) => this.rebind(m),
    });
    this.peek = new StreamPeek(new QueueBrowser(ctx), (seq) => this.accounting.isHeld(seq));
    this.initialized = this.init();
    this.initialized.catch((err) =>
      ctx.logger?.error({ connection: connectionId, err: (err as Error).message }, 'JetStream queue not ready'),
    );
  }

  /** Creates the stream and consumer, retrying while NATS is unreachable; a refusal by the server fails. */
  private async init(): Promise<void> {
    await withRetry(
      async () => {
        await this.ctx.streamReady();
        await this.puller.start();
      },
      {
        what: `preparing the JetStream queue of connection ${this.connectionId}`,
        retryForMs: Number.POSITIVE_INFINITY,
        basePauseMs: 250,
        maxPauseMs: 5000,
        closed: () => this.closed || this.ctx.link.nc.isClosed(),
        logger: this.ctx.logger,
      },
    );
  }

  /** Resolves once the stream and the consumer exist and the depth was read once. */
  ready(): Promise<void> {
    return this.initialized;
  }

  onAvailable(listener: () => void): void {
    this.listener = listener;
  }

  private receive(d: Delivery, ffs: FlowFile[]): void {
    this.naked.delete(d.seq);
    if (d.deliveryCount > 1) this.redelivered += ffs.length;
    this.deliveries.add(d);
    for (const ff of ffs) {
      this.holders.set(ff, d);
      this.buffer.push(ff);
    }
    this.listener?.();
  }

  private rebind(m: JsMsg): boolean {
    for (const d of this.deliveries)
      if (d.seq === m.seq) {
        d.msg = m;
        return true;
      }
    return false;
  }

  depth(): QueueDepth {
    const now = Date.now();
    let nakedCount = 0;
    for (const [seq, n] of this.naked) {
      if (n.until > now) nakedCount += n.count;
      else if (n.until < now - this.ctx.ackWaitMs) this.naked.delete(seq);
    }
    return {
      count: Math.max(this.accounting.depthCount(), this.inFlight),
      bytes: Math.max(this.accounting.depthBytes(), this.inFlightBytes),
      inFlight: this.inFlight,
      penalized: this.buffer.penalizedCount + nakedCount,
      ackPending: this.accounting.remote.ackPending,
      redelivered: this.redelivered,
      messages: this.accounting.messages,
    };
  }

  hasAvailable(now: number): boolean {
    this.buffer.release(now);
    this.puller.demand();
    return this.buffer.available > 0;
  }

  nextRelease(): number | undefined {
    const now = Date.now();
    let next = this.buffer.nextRelease();
    for (const n of this.naked.values()) if (n.until > now && (next === undefined || n.until < next)) next = n.until;
    return next;
  }

  /** Publishes FlowFiles; with `tag.txn` they count only once that session is committed (see txn-ledger). */
  async offer(ffs: readonly FlowFile[], tag?: PublishTag): Promise<void> {
    if (ffs.length === 0) return;
    await this.initialized;
    const now = Date.now();
    for (const m of await this.publisher.publish(ffs, tag))
      if (!m.duplicate) this.accounting.published(m.seq, m.count, m.bytes, m.oldestEntryDate, now);
  }

  take(max: number, now: number): FlowFile[] {
    this.buffer.release(now);
    this.puller.demand(max);
    const n = Math.min(max, this.buffer.available);
    const out = new Array<FlowFile>(n);
    for (let i = 0; i < n; i++) {
      const ff = this.buffer.shift()!;
      const d = this.holders.get(ff)!;
      d.inFlight++;
      this.inFlight++;
      this.inFlightBytes += ff.size;
      out[i] = ff;
    }
    return out;
  }

  /** A FlowFile taken by a session comes back (committed or rolled back). */
  private returned(ff: FlowFile): Delivery | undefined {
    const d = this.holders.get(ff);
    if (!d) return undefined;
    d.inFlight--;
    this.inFlight--;
    this.inFlightBytes -= ff.size;
    return d;
  }

  /** A FlowFile is done here (acknowledged, expired or dropped); the message is acknowledged with its last. */
  private done(ff: FlowFile, d: Delivery): void {
    this.holders.delete(ff);
    d.remaining--;
    this.accounting.progress(d.seq, 1, ff.size);
    if (d.remaining > 0) return;
    this.deliveries.delete(d);
    this.ctx.content.release(d.claims);
    // Counted (as 0 FlowFiles) until the server confirms, so consumer info read meanwhile cannot double it.
    const acked = d.msg
      .ackAck({ timeout: 10_000 })
      .then(
        () => this.accounting.removed(d.seq),
        (err) => {
          this.accounting.removed(d.seq);
          this.ctx.logger?.warn({ seq: d.seq, err: (err as Error).message }, 'ack not confirmed; may be redelivered');
        },
      )
      .finally(() => this.acking.delete(acked));
    this.acking.add(acked);
  }

  acknowledge(ffs: readonly FlowFile[]): void {
    for (const ff of ffs) {
      const d = this.returned(ff);
      if (d) this.done(ff, d);
    }
    this.puller.kick();
  }

  requeue(ffs: readonly FlowFile[], penaltyMs: number, now: number): void {
    const groups = new Map<Delivery, FlowFile[]>();
    for (const ff of ffs) {
      const d = this.returned(ff);
      if (!d) continue;
      const group = groups.get(d);
      if (group) group.push(ff);
      else groups.set(d, [ff]);
    }
    for (const [d, group] of groups) {
      // The whole message failed: hand it back to the stream, delayed, so any engine may retry it.
      if (penaltyMs > 0 && group.length === d.total && d.remaining === d.total) {
        for (const ff of group) this.holders.delete(ff);
        this.deliveries.delete(d);
        this.accounting.released(d.seq);
        this.naked.set(d.seq, { until: now + penaltyMs, count: group.length });
        d.msg.nak(penaltyMs);
      } else if (penaltyMs > 0) this.buffer.penalize(group, now + penaltyMs);
      else this.buffer.pushFront(group);
    }
  }

  private dropWhere(pred: (ff: FlowFile) => boolean): FlowFile[] {
    const out = this.buffer.removeWhere(pred);
    for (const ff of out) {
      const d = this.holders.get(ff);
      if (d) this.done(ff, d);
    }
    return out;
  }

  /** FlowFiles fetched into this process expire; those still in the stream expire once fetched. */
  expire(maxAgeMs: number, now: number): FlowFile[] {
    const cutoff = now - maxAgeMs;
    return this.dropWhere((ff) => ff.entryDate < cutoff);
  }

  oldestEntryDate(): number | undefined {
    return this.accounting.oldestEntryDate();
  }

  /**
   * FlowFiles waiting, synchronously: those fetched into this process first, then those still in the stream as
   * a background read of it last saw them (about a second old at most). `browse` reads the stream now.
   */
  list(limit: number, now: number): QueuedFlowFile[] {
    const entries = this.buffer.entries(limit);
    const seen = new Set(entries.map((e) => e.ff.id));
    for (const b of this.peek.entries(limit)) {
      if (entries.length >= limit) break;
      if (!seen.has(b.ff.id)) entries.push({ ff: b.ff, penalized: false });
    }
    return entries.map(({ ff, penalized }, position) => queued(ff, position, now, penalized));
  }

  /** A waiting FlowFile: fetched here, or (with inline content) from the last background read of the stream. */
  find(flowFileId: string): FlowFile | undefined {
    return (
      this.buffer.find(flowFileId) ??
      this.peek.entries().find((b) => b.ff.id === flowFileId && b.claim === undefined)?.ff
    );
  }

  /** Drops the FlowFiles fetched into this process (not in flight); `drain` also empties the stream. */
  clear(): FlowFile[] {
    return this.dropWhere(() => true);
  }

  /** Every waiting FlowFile, in the stream or here (not those in a session), removed and returned. */
  async drain(): Promise<FlowFile[]> {
    await this.initialized;
    const out = this.clear();
    for (;;) {
      const batch = await this.puller.fetchNow(1000);
      if (batch.length === 0) return out;
      for (const [d, ffs] of batch) {
        for (const ff of ffs) this.done(ff, d);
        out.push(...ffs);
      }
    }
  }

  /** Reads the first waiting FlowFiles from the stream (also those held by other processes), oldest first. */
  browse(limit: number, now: number): Promise<QueuedFlowFile[]> {
    return new QueueBrowser(this.ctx).list(limit, now);
  }

  /** A waiting FlowFile with its content, wherever it waits. */
  async lookup(flowFileId: string): Promise<FlowFile | undefined> {
    return this.buffer.find(flowFileId) ?? new QueueBrowser(this.ctx).find(flowFileId);
  }

  /** Refreshes the depth from consumer info now. */
  refresh(): Promise<void> {
    return this.puller.reconcile();
  }

  /**
   * Stops pulling and hands every message held here back to the stream for other engines. Whoever discards a
   * queue (a connection removed from a running flow) closes it; closing the back end closes them all.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.ctx.forget?.();
    await this.puller.stop();
    await this.releaseIdle();
    await Promise.allSettled([...this.acking]);
  }

  /** Hands back every held message no session is working on (the target is stopped or backpressured). */
  async releaseIdle(): Promise<void> {
    await Promise.allSettled([...this.deliveries].filter((d) => d.inFlight === 0).map((d) => this.handBack(d)));
  }

  /**
   * Returns a held message to the stream: nak'ed when none of its FlowFiles is done yet, otherwise its waiting
   * FlowFiles are republished as a new message and the old one acknowledged (no duplicates of the done ones).
   */
  private async handBack(d: Delivery): Promise<void> {
    const waiting = this.buffer.removeWhere((ff) => this.holders.get(ff) === d);
    this.deliveries.delete(d);
    if (d.remaining === d.total) {
      for (const ff of waiting) this.holders.delete(ff);
      this.accounting.released(d.seq);
      d.msg.nak();
      return;
    }
    try {
      // The old message's seq in the message id: handing back the same FlowFiles twice never collides.
      await this.offer(waiting, { idPrefix: `back-${d.seq}` });
      for (const ff of waiting) this.done(ff, d);
    } catch (err) {
      for (const ff of waiting) this.buffer.push(ff);
      this.deliveries.add(d);
      this.ctx.logger?.warn({ seq: d.seq, err: (err as Error).message }, 'could not hand a message back');
    }
  }
}
