/**
 * The pulling side of a JetStream queue: makes sure the durable consumer exists, fetches messages only while
 * the target processor asks for input and the prefetch buffer is low, turns them into FlowFiles (downloading
 * claimed content), keeps held messages alive with in-progress acks, hands idle ones back, and reconciles the
 * depth with consumer info.
 */
import type { Consumer, JsMsg } from 'nats';
import type { FlowFile } from '../engine/flowfile';
import { Signal } from '../engine/signal';
import { decodeBatch } from './codec';
import { ClaimMissingError } from './content-store';
import type { JetStreamQueueContext } from './jetstream-queue';
import { sleep } from './nats-link';
import type { QueueAccounting } from './queue-accounting';
import { backoffMs } from './retry';
import { TXN_HEADER } from './txn-ledger';

/** One message held by this process. */
export interface Delivery {
  msg: JsMsg;
  seq: number;
  deliveryCount: number;
  /** FlowFiles in the message. */
  total: number;
  /** FlowFiles not yet acknowledged or dropped. */
  remaining: number;
  /** FlowFiles taken by a session right now. */
  inFlight: number;
  claims: string[];
}

export interface PullHost {
  buffered(): { count: number; bytes: number };
  receive(d: Delivery, ffs: FlowFile[]): void;
  deliveries(): Iterable<Delivery>;
  /** Hands held messages back to the stream when no session took anything for a while. */
  releaseIdle(): Promise<void>;
  /**
   * A message this process still holds came again (its ack_wait ran out while the process was stalled): the
   * host keeps working on its copy, acknowledging with the new delivery. True when that was the case.
   */
  rebind(m: JsMsg): boolean;
}

/** The target asked for input within this window: keep its buffer filled. */
const DEMAND_WINDOW_MS = 3000;
/** No demand for this long: held messages go back to the stream for other engines. */
const RELEASE_AFTER_MS = 10_000;
const RECONCILE_MS = 1000;
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** FlowFiles a target may ask to see at once (MergeContent's maxEntries × maxBins is at most 100,000). */
const MAX_WANT = 100_000;
const NOT_FOUND = 10037;

export class PullLoop {
  private consumer: Consumer | undefined;
  private lastDemand = 0;
  private want = 100;
  private readonly wake = new Signal();
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  private reconciling: Promise<void> | undefined;
  private failures = 0;
  /** Messages of sessions not decided yet, held (kept alive) until their decision arrives. */
  private readonly parked = new Map<number, JsMsg>();
  private readonly resolving = new Set<Promise<void>>();

  constructor(
    private readonly ctx: JetStreamQueueContext,
    private readonly accounting: QueueAccounting,
    private readonly host: PullHost,
  ) {}

  async start(): Promise<void> {
    await this.ensureConsumer();
    await this.reconcile();
    this.running = true;
    this.loopDone = this.loop();
    const keepAlive = setInterval(() => this.keepAlive(), Math.max(200, Math.floor(this.ctx.ackWaitMs / 3)));
    const reconcile = setInterval(() => void this.reconcile(), RECONCILE_MS);
    keepAlive.unref();
    reconcile.unref();
    this.timers = [keepAlive, reconcile];
  }

  private async ensureConsumer(): Promise<void> {
    const { jsm, js } = this.ctx.link;
    try {
      await jsm.consumers.add(this.ctx.stream, { ...this.ctx.consumerConfig, durable_name: this.ctx.durable });
    } catch (err) {
      // An older config (another ack_wait): update it in place, the consumer's position is kept.
      await jsm.consumers.update(this.ctx.stream, this.ctx.durable, this.ctx.consumerConfig).catch(() => {
        throw err;
      });
    }
    this.consumer = await js.consumers.get(this.ctx.stream, this.ctx.durable);
  }

  /** The target processor asked for (up to `max`) FlowFiles. */
  demand(max?: number): void {
    this.lastDemand = Date.now();
    // As much as the processor asks for (MergeContent gathers whole bins), bounded by MAX_BUFFERED_BYTES.
    if (max !== undefined && max > this.want) this.want = Math.min(max, MAX_WANT);
    if (this.host.buffered().count < this.want) this.wake.notify();
  }

  kick(): void {
    this.wake.notify();
  }

  private wantsMore(now: number): number {
    if (now - this.lastDemand > DEMAND_WINDOW_MS) return 0;
    const b = this.host.buffered();
    const target = Math.max(100, 2 * this.want);
    const count = b.count + this.parked.size * Math.max(1, this.accounting.averageCount);
    if (count >= target || b.bytes >= MAX_BUFFERED_BYTES) return 0;
    return target - count;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const missing = this.wantsMore(Date.now());
      if (missing === 0) {
        await this.wake.wait(1000);
        continue;
      }
      try {
        const perMessage = Math.max(1, this.accounting.averageCount);
        const max_messages = Math.min(64, Math.max(1, Math.ceil(missing / perMessage)));
        const batch = await this.consumer!.fetch({ max_messages, expires: 1000 });
        for await (const m of batch) {
          if (this.host.rebind(m) || this.parked.has(m.seq)) continue;
          const txn = m.headers?.get(TXN_HEADER);
          const decision = txn ? this.ctx.ledger.decision(txn) : 'c';
          if (decision === 'c') await this.accept(m);
          else if (decision === 'a') await this.dropAborted(m);
          else this.park(m, txn!);
        }
        this.failures = 0;
      } catch (err) {
        if (!this.running) break;
        this.failures++;
        if (this.failures === 1 || this.failures % 20 === 0)
          this.ctx.logger?.warn(
            { subject: this.ctx.subject, err: (err as Error).message, failures: this.failures },
            'pulling from NATS failed; retrying',
          );
        await sleep(backoffMs(this.failures));
        if (this.failures % 10 === 0) await this.ensureConsumer().catch(() => {});
      }
    }
  }

  private async accept(m: JsMsg): Promise<void> {
    const received = await this.decode(m);
    if (received) this.host.receive(received.delivery, received.ffs);
  }

  /** Holds a message of an undecided session until its decision: passed on when committed, else dropped. */
  private park(m: JsMsg, txn: string): void {
    this.parked.set(m.seq, m);
    const storedAt = Math.floor(m.info.timestampNanos / 1e6);
    const done: Promise<void> = this.ctx.ledger
      .resolve(txn, storedAt)
      .then(async (decision) => {
        if (this.parked.get(m.seq) !== m) return;
        this.parked.delete(m.seq);
        if (!this.running) m.nak();
        else if (decision === 'c') await this.accept(m);
        else await this.dropAborted(m);
      })
      .catch((err) => {
        if (this.parked.get(m.seq) === m) {
          this.parked.delete(m.seq);
          m.nak();
        }
        if (this.running)
          this.ctx.logger?.warn({ seq: m.seq, err: (err as Error).message }, 'could not learn a session decision');
      })
      .finally(() => this.resolving.delete(done));
    this.resolving.add(done);
  }

  /** A message of an aborted session: removed from the stream, its content claims released. */
  private async dropAborted(m: JsMsg): Promise<void> {
    try {
      const claims = decodeBatch(m.data).flatMap((e) => (e.claim === undefined ? [] : [e.claim]));
      this.ctx.content.release(claims);
    } catch {
      // unreadable: nothing to release
    }
    m.term();
    this.accounting.removed(m.seq);
  }

  /** Decodes a message into FlowFiles, content downloaded; undefined when it must be skipped. */
  async decode(m: JsMsg): Promise<{ delivery: Delivery; ffs: FlowFile[] } | undefined> {
    const deliveryCount = m.info.deliveryCount;
    let entries: ReturnType<typeof decodeBatch>;
    try {
      entries = decodeBatch(m.data);
    } catch (err) {
      this.ctx.logger?.error({ subject: m.subject, seq: m.seq, err: (err as Error).message }, 'unreadable message');
      m.term();
      return undefined;
    }
    const claims: string[] = [];
    const ffs: FlowFile[] = new Array(entries.length);
    let bytes = 0;
    let oldest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      let content = e.content;
      if (e.claim !== undefined) {
        claims.push(e.claim);
        try {
          content = await this.ctx.content.get(e.claim);
        } catch (err) {
          if (!(err instanceof ClaimMissingError)) throw err;
          // Only a message another engine already finished loses its claims: this copy is a duplicate.
          this.ctx.logger?.warn({ seq: m.seq, deliveryCount, err: err.message }, 'skipping a finished duplicate');
          m.term();
          this.accounting.removed(m.seq);
          return undefined;
        }
      }
      const body = content ?? Buffer.alloc(0);
      ffs[i] = {
        id: e.id,
        attributes: e.attributes,
        content: body,
        size: body.length,
        entryDate: e.entryDate,
        lineageStartDate: e.lineageStartDate,
      };
      bytes += body.length;
      if (e.entryDate < oldest) oldest = e.entryDate;
    }
    this.accounting.delivered(m.seq, ffs.length, bytes, oldest);
    const delivery: Delivery = {
      msg: m,
      seq: m.seq,
      deliveryCount,
      total: ffs.length,
      remaining: ffs.length,
      inFlight: 0,
      claims,
    };
    return { delivery, ffs };
  }

  /** Fetches up to `max` waiting messages now (for draining), outside the prefetch buffer. */
  async fetchNow(max: number): Promise<[Delivery, FlowFile[]][]> {
    await this.reconcile();
    const waiting = this.accounting.remote.pending;
    if (waiting === 0) return [];
    const out: [Delivery, FlowFile[]][] = [];
    const batch = await this.consumer!.fetch({ max_messages: Math.min(max, waiting), expires: 1000 });
    for await (const m of batch) {
      const txn = m.headers?.get(TXN_HEADER);
      const decision = txn ? await this.ctx.ledger.resolve(txn, Math.floor(m.info.timestampNanos / 1e6)) : 'c';
      if (decision === 'a') {
        await this.dropAborted(m);
        continue;
      }
      const received = await this.decode(m);
      if (received) out.push([received.delivery, received.ffs]);
    }
    return out;
  }

  private keepAlive(): void {
    for (const d of this.host.deliveries()) d.msg.working();
    for (const m of this.parked.values()) m.working();
    if (Date.now() - this.lastDemand > RELEASE_AFTER_MS) void this.host.releaseIdle();
  }

  /** Reads consumer info (depth, ack pending, redelivered) and drops known messages that are gone. */
  reconcile(): Promise<void> {
    this.reconciling ??= this.readInfo().finally(() => {
      this.reconciling = undefined;
    });
    return this.reconciling;
  }

  private async readInfo(): Promise<void> {
    const { jsm } = this.ctx.link;
    this.accounting.beginInfo();
    const ci = await jsm.consumers.info(this.ctx.stream, this.ctx.durable).catch(() => undefined);
    const probes = this.accounting.applyInfo(ci);
    if (ci && this.accounting.needsSample) await this.sample(ci.ack_floor.stream_seq + 1);
    await Promise.all(
      probes.map((seq) =>
        jsm.streams.getMessage(this.ctx.stream, { seq }).then(
          () => {},
          (err) => {
            if ((err as { api_error?: { err_code?: number } }).api_error?.err_code === NOT_FOUND)
              this.accounting.removed(seq);
          },
        ),
      ),
    );
  }

  /** Reads one waiting message to learn how many FlowFiles a message holds, before any was delivered here. */
  private async sample(fromSeq: number): Promise<void> {
    try {
      const sm = await this.ctx.link.directGet(this.ctx.stream, {
        seq: fromSeq,
        next_by_subj: this.ctx.subject,
      });
      const entries = decodeBatch(sm.data);
      this.accounting.sample(
        entries.length,
        entries.reduce((n, e) => n + e.size, 0),
      );
    } catch {
      // nothing waiting, or unreadable: keep the default
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.wake.notify();
    // The open pull request runs out (≤ 1 s) rather than being dropped client-side: dropped, the server would
    // still deliver into it, and what it delivered would wait for ack_wait. What it delivers is handed back.
    await this.loopDone;
    await this.reconciling;
    // Undecided messages go back to the stream for whoever runs next.
    for (const m of this.parked.values()) m.nak();
    this.parked.clear();
    await Promise.allSettled([...this.resolving]);
  }
}
