/**
 * What one process knows about a connection's depth on JetStream, in FlowFiles (a message holds a batch).
 *
 * Messages this process published or received are known exactly (count, bytes, oldest entry). Messages other
 * processes published and nobody here received yet are known only as a number, from consumer info
 * (`num_pending + num_ack_pending`), and counted at the average FlowFiles per message seen so far. A known
 * message leaves when this process acknowledges it, when the consumer's ack floor passes it, or when a probe
 * finds it gone (another process acknowledged it).
 */
import type { ConsumerInfo } from 'nats';

interface Known {
  count: number;
  bytes: number;
  oldest: number;
  /** When this process learned of it (ms). */
  since: number;
  /** Delivered to this process and not acknowledged or released. */
  held: boolean;
}

export interface RemoteView {
  /** Messages delivered to some consumer and not acknowledged (from consumer info). */
  ackPending: number;
  /** Messages redelivered and not yet acknowledged (from consumer info). */
  redelivered: number;
  pending: number;
  /** When the last consumer info arrived (ms), undefined before the first. */
  at?: number;
}

export class QueueAccounting {
  private readonly known = new Map<number, Known>();
  private count = 0;
  private bytes = 0;
  private unknownMessages = 0;
  private avgCount = 1;
  private avgBytes = 0;
  private seen = 0;
  private requesting = false;
  private removedDuringRequest = 0;
  readonly remote: RemoteView = { ackPending: 0, redelivered: 0, pending: 0 };

  private learn(count: number, bytes: number): void {
    // A running mean over the first 100 messages, then an exponential one.
    const w = this.seen < 100 ? 1 / ++this.seen : 0.01;
    this.avgCount += (count - this.avgCount) * w;
    this.avgBytes += (bytes - this.avgBytes) * w;
  }

  private add(seq: number, count: number, bytes: number, oldest: number, held: boolean, now: number): void {
    this.known.set(seq, { count, bytes, oldest, since: now, held });
    this.count += count;
    this.bytes += bytes;
    this.learn(count, bytes);
  }

  /** A message this process stored. */
  published(seq: number, count: number, bytes: number, oldest: number, now = Date.now()): void {
    if (!this.known.has(seq)) this.add(seq, count, bytes, oldest, false, now);
  }

  /** A message delivered to this process; `count`/`bytes` are what it holds now. */
  delivered(seq: number, count: number, bytes: number, oldest: number, now = Date.now()): void {
    const k = this.known.get(seq);
    if (k) {
      k.held = true;
      this.count += count - k.count;
      this.bytes += bytes - k.bytes;
      k.count = count;
      k.bytes = bytes;
      return;
    }
    if (this.unknownMessages > 0) this.unknownMessages--;
    this.add(seq, count, bytes, oldest, true, now);
  }

  /** Some FlowFiles of a held message are done (acknowledged, expired or dropped). */
  progress(seq: number, count: number, bytes: number): void {
    const k = this.known.get(seq);
    if (!k) return;
    k.count -= count;
    k.bytes -= bytes;
    this.count -= count;
    this.bytes -= bytes;
  }

  /** The message is acknowledged: gone from the stream. */
  removed(seq: number): void {
    const k = this.known.get(seq);
    if (!k) return;
    this.known.delete(seq);
    this.count -= k.count;
    this.bytes -= k.bytes;
    if (this.requesting) this.removedDuringRequest++;
  }

  /** The message was handed back (nak): still in the stream, no longer held here. */
  released(seq: number): void {
    const k = this.known.get(seq);
    if (k) k.held = false;
  }

  isHeld(seq: number): boolean {
    return this.known.get(seq)?.held === true;
  }

  beginInfo(): void {
    this.requesting = true;
    this.removedDuringRequest = 0;
  }

  /** Reconciles with consumer info; returns known messages worth probing (maybe acknowledged elsewhere). */
  applyInfo(ci: ConsumerInfo | undefined, now = Date.now()): number[] {
    this.requesting = false;
    if (!ci) return [];
    const floor = ci.ack_floor.stream_seq;
    const delivered = ci.delivered.stream_seq;
    const probe: number[] = [];
    for (const [seq, k] of this.known) {
      if (k.held) continue;
      if (seq <= floor) this.removed(seq);
      else if (seq <= delivered && now - k.since > 2000 && probe.length < 20) probe.push(seq);
    }
    const inStream = ci.num_pending + ci.num_ack_pending;
    // A lower bound: acknowledgements sent during the request may or may not be in the numbers.
    this.unknownMessages = Math.max(0, inStream - this.known.size - this.removedDuringRequest);
    this.remote.ackPending = ci.num_ack_pending;
    this.remote.redelivered = ci.num_redelivered;
    this.remote.pending = ci.num_pending;
    this.remote.at = now;
    return probe;
  }

  /** FlowFiles per message, on average. */
  get averageCount(): number {
    return this.avgCount;
  }

  /** Messages are waiting that nobody here has seen, and no message was seen yet to size them. */
  get needsSample(): boolean {
    return this.seen === 0 && this.unknownMessages > 0;
  }

  /** Learns the size of messages from one read without delivery. */
  sample(count: number, bytes: number): void {
    this.learn(count, bytes);
  }

  get messages(): number {
    return this.known.size + this.unknownMessages;
  }

  depthCount(): number {
    return this.count + Math.round(this.unknownMessages * this.avgCount);
  }

  depthBytes(): number {
    return this.bytes + Math.round(this.unknownMessages * this.avgBytes);
  }

  oldestEntryDate(): number | undefined {
    let oldest: number | undefined;
    for (const k of this.known.values())
      if (k.count > 0 && (oldest === undefined || k.oldest < oldest)) oldest = k.oldest;
    return oldest;
  }
}
