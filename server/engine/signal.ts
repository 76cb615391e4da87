/** Wakes the tasks of one processor: new input, a drained output, a listener with data, a stop. */
export class Signal {
  private waiters: (() => void)[] = [];

  notify(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves on the next notify, or after `timeoutMs`. */
  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      const waiter = () => {
        clearTimeout(timer);
        resolve();
      };
      function done() {
        resolve();
      }
      this.waiters.push(waiter);
    });
  }
}

export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
