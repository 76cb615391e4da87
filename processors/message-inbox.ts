/**
 * Messages a consumer's client has received that no session has committed yet. The client's listener
 * pushes and wakes the processor; onTrigger takes a batch; a rolled-back batch goes back to the front in
 * order. The inbox itself is not a limit: the broker's flow control (AMQP prefetch, MQTT receive maximum,
 * Kafka's blocked batch, ZeroMQ's paused receive) keeps it at most that many messages.
 */
export class Inbox<T> {
  private items: T[] = [];
  private head = 0;

  constructor(private readonly wake: () => void) {}

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  take(max: number): T[] {
    const end = Math.min(this.items.length, this.head + max);
    const batch = this.items.slice(this.head, end);
    this.head = end;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  /** Gives a rolled-back batch back, ahead of what arrived since, in its original order. */
  putBack(batch: readonly T[]): void {
    if (batch.length === 0) return;
    this.items = [...batch, ...this.items.slice(this.head)];
    this.head = 0;
    this.wake();
  }

  /** Drops what matches (messages of a closed channel, which the broker redelivers anyway). */
  discard(predicate: (item: T) => boolean): number {
    const kept = this.items.slice(this.head).filter((item) => !predicate(item));
    const dropped = this.size - kept.length;
    this.items = kept;
    this.head = 0;
    return dropped;
  }
}
