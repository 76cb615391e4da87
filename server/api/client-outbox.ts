/**
 * What one `/api/events` client has yet to be sent, coalesced: per flow its `flow` change messages (in order)
 * followed by only its latest status snapshot, and the latest heartbeat. Messages are written while the socket
 * takes more and again on its 'drain', oldest-pending flow first, so under backpressure every flow gets its turn
 * (none is skipped forever) and a newer snapshot replaces the one it supersedes instead of queueing behind it:
 * what waits is at most one snapshot per flow.
 */

/** The part of an HTTP response the outbox writes to (a `ServerResponse`, or a fake in tests). */
export interface EventSink {
  write(chunk: string): boolean;
  /** The socket has taken less than it was given: wait for 'drain' before writing more. */
  readonly writableNeedDrain: boolean;
  /** Bytes given to the response and not yet taken by the socket. */
  readonly writableLength: number;
  readonly writableEnded: boolean;
  readonly destroyed: boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/** Why the outbox gave up on its client: the connection is gone, or it stopped reading (`maxBufferedBytes`). */
export type OutboxEnd = 'closed' | 'overflow';

interface PendingFlow {
  changes: string[];
  status?: string;
}

export class ClientOutbox {
  /** Insertion order is the order of writing: a flow keeps its place until written, then queues at the back. */
  private readonly pending = new Map<string, PendingFlow>();
  private heartbeat: string | undefined;
  /** The status version of each flow this client has been sent or has waiting; an equal one is not sent again. */
  private readonly versions = new Map<string, number>();
  private waitingForDrain = false;
  /** Bytes queued (superseded ones included) since the socket last drained: what a stalled client is offered. */
  private queuedSinceDrain = 0;
  private ended = false;

  constructor(
    private readonly sink: EventSink,
    private readonly maxBufferedBytes: number,
    private readonly onEnd: (why: OutboxEnd) => void,
  ) {}

  /** Flows with something waiting (each holds at most one status snapshot). */
  get pendingFlows(): number {
    return this.pending.size;
  }

  /** A status snapshot of `flowId`; skipped when this client already has (or has waiting) that version. */
  status(flowId: string, version: number, message: string): void {
    if (this.versions.get(flowId) === version) return;
    this.versions.set(flowId, version);
    this.entry(flowId).status = message;
    this.queued(message);
  }

  /**
   * A `flow` change: never dropped, written before the flow's next status. The client's version of the flow is
   * forgotten, so the status that follows a change is sent even when it equals the last one; a flow that is gone
   * loses its waiting status.
   */
  change(flowId: string, message: string, gone: boolean): void {
    this.versions.delete(flowId);
    const entry = this.entry(flowId);
    entry.changes.push(message);
    if (gone) entry.status = undefined;
    this.queued(message);
  }

  /** The latest heartbeat replaces one still waiting; it is written after the flows. */
  beat(message: string): void {
    this.heartbeat = message;
    this.queued(message);
  }

  private entry(flowId: string): PendingFlow {
    let entry = this.pending.get(flowId);
    if (!entry) {
      entry = { changes: [] };
      this.pending.set(flowId, entry);
    }
    return entry;
  }

  private queued(message: string): void {
    if (this.ended) return;
    if (this.waitingForDrain) this.queuedSinceDrain += message.length;
    this.flush();
    // A client that stopped reading: the socket holds a backlog and updates keep coming for it; cut it off (it
    // may reconnect) rather than let it keep its slot forever.
    if (!this.ended && this.sink.writableLength + this.queuedSinceDrain > this.maxBufferedBytes) this.end('overflow');
  }

  private flush(): void {
    if (this.ended || this.waitingForDrain) return;
    if (this.sink.writableEnded || this.sink.destroyed) {
      this.end('closed');
      return;
    }
    for (;;) {
      if (this.sink.writableNeedDrain) {
        this.waitingForDrain = true;
        this.sink.once('drain', () => {
          this.waitingForDrain = false;
          this.queuedSinceDrain = 0;
          this.flush();
        });
        break;
      }
      const next = this.pending.entries().next();
      if (!next.done) {
        const [flowId, entry] = next.value;
        this.pending.delete(flowId);
        const text = entry.changes.join('') + (entry.status ?? '');
        if (text) this.sink.write(text);
      } else if (this.heartbeat !== undefined) {
        this.sink.write(this.heartbeat);
        this.heartbeat = undefined;
      } else break;
    }
  }

  private end(why: OutboxEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.pending.clear();
    this.heartbeat = undefined;
    this.onEnd(why);
  }
}
