/**
 * One session at a time for a processor whose persisted state each session reads, changes and writes back
 * (NiFi's @TriggerSerially). `session.setState` replaces the whole state and the last commit wins, so two
 * sessions that overlap would each write what they read before the other committed: one's change is lost,
 * and a restart repeats it. Holding a turn from onTrigger until the session has committed or rolled back
 * keeps the state exact at any concurrency; the price is that a processor's sessions no longer overlap.
 */
import type { ProcessSession } from '../sdk';

export class SerialSessions {
  private tail: Promise<void> = Promise.resolve();

  /**
   * Waits until the sessions before this one committed or rolled back. `onCommit` / `onRollback` run when
   * this one does, before the next session gets its turn (so it sees their effect); afterCommit actions the
   * processor registers itself may run after the next session started.
   */
  async enter(session: ProcessSession, on: { onCommit?: () => void; onRollback?: () => void } = {}): Promise<void> {
    let release!: () => void;
    const previous = this.tail;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    session.afterCommit(() => {
      try {
        on.onCommit?.();
      } finally {
        release();
      }
    });
    session.afterRollback(() => {
      try {
        on.onRollback?.();
      } finally {
        release();
      }
    });
  }
}
