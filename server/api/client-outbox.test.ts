import { describe, expect, test } from 'vitest';
import { ClientOutbox, type EventSink, type OutboxEnd } from './client-outbox';

/** A response whose socket takes `capacity` bytes, then needs a drain (called by the test). */
class FakeSink implements EventSink {
  readonly written: string[] = [];
  writableLength = 0;
  writableEnded = false;
  destroyed = false;
  private listeners: (() => void)[] = [];
  constructor(public capacity = Number.POSITIVE_INFINITY) {}
  get writableNeedDrain(): boolean {
    return this.writableLength >= this.capacity;
  }
  write(chunk: string): boolean {
    this.written.push(chunk);
    this.writableLength += chunk.length;
    return !this.writableNeedDrain;
  }
  once(_event: 'drain', listener: () => void): void {
    this.listeners.push(listener);
  }
  drain(): void {
    this.writableLength = 0;
    const listeners = this.listeners;
    this.listeners = [];
    for (const l of listeners) l();
  }
}

function outbox(sink: FakeSink, maxBufferedBytes = 1_000_000) {
  const ends: OutboxEnd[] = [];
  return { box: new ClientOutbox(sink, maxBufferedBytes, (why) => ends.push(why)), ends };
}

describe('ClientOutbox', () => {
  test('writes at once while the socket takes more; an equal version is not sent again', () => {
    const sink = new FakeSink();
    const { box } = outbox(sink);
    box.status('a', 1, 'a1');
    box.status('b', 2, 'b2');
    box.status('a', 1, 'a1 again');
    box.beat('hb');
    expect(sink.written).toEqual(['a1', 'b2', 'hb']);
    expect(box.pendingFlows).toBe(0);
  });

  test('while the socket is behind, a newer snapshot replaces the waiting one: one per flow waits', () => {
    const sink = new FakeSink(1);
    const { box } = outbox(sink);
    box.status('a', 1, 'a1'); // written; now the socket is full
    for (let v = 2; v < 100; v++) {
      box.status('a', v * 10, `a${v}`);
      box.status('b', v * 10 + 1, `b${v}`);
    }
    expect(box.pendingFlows).toBe(2);
    sink.capacity = Number.POSITIVE_INFINITY;
    sink.drain();
    expect(sink.written).toEqual(['a1', 'a99', 'b99']);
  });

  test('a socket that takes one message per drain gets every flow in turn, none skipped', () => {
    const sink = new FakeSink(1);
    const { box } = outbox(sink);
    let version = 0;
    for (let tick = 0; tick < 9; tick++) {
      // Every flow changes every tick, always in the same order, faster than the client reads.
      for (const flow of ['a', 'b', 'c']) box.status(flow, ++version, `${flow}@${tick}`);
      sink.drain();
    }
    // Round robin, oldest waiting first; each write is that flow's latest snapshot at the time.
    expect(sink.written).toEqual(['a@0', 'b@0', 'c@1', 'a@2', 'b@3', 'c@4', 'a@5', 'b@6', 'c@7', 'a@8']);
  });

  test('a flow change is written before its status and makes the status that follows it go out', () => {
    const sink = new FakeSink(1);
    const { box } = outbox(sink);
    box.status('a', 1, '[a v1]');
    box.status('a', 2, '[a v2]'); // waits
    box.change('a', '[a started]', false);
    box.status('a', 2, '[a v2 after start]'); // same version, but the change asks for it again
    box.change('b', '[b deleted]', true);
    sink.capacity = Number.POSITIVE_INFINITY;
    sink.drain();
    expect(sink.written).toEqual(['[a v1]', '[a started][a v2 after start]', '[b deleted]']);
  });

  test('a deleted flow loses its waiting status but keeps its change messages', () => {
    const sink = new FakeSink(1);
    const { box } = outbox(sink);
    box.beat('hb');
    box.status('a', 5, '[a v5]');
    box.change('a', '[a deleted]', true);
    sink.capacity = Number.POSITIVE_INFINITY;
    sink.drain();
    expect(sink.written).toEqual(['hb', '[a deleted]']);
  });

  test('a client offered more than the bound since its socket last drained is given up', () => {
    const sink = new FakeSink(1);
    const { box, ends } = outbox(sink, 1000);
    for (let v = 1; v <= 10; v++) box.status('a', v, 'x'.repeat(99));
    expect(ends).toEqual([]);
    box.status('a', 11, 'x'.repeat(99));
    expect(ends).toEqual(['overflow']);
    expect(box.pendingFlows).toBe(0);
  });

  test('a drained socket starts the count again; a closed one ends the outbox', () => {
    const sink = new FakeSink(1);
    const { box, ends } = outbox(sink, 1000);
    for (let round = 0; round < 5; round++) {
      for (let v = 1; v <= 5; v++) box.status('a', round * 10 + v, 'x'.repeat(99));
      sink.drain();
    }
    expect(ends).toEqual([]);
    sink.writableEnded = true;
    sink.drain();
    box.status('a', 99, 'late');
    expect(ends).toEqual(['closed']);
  });
});
