/**
 * The pending edits of one panel's form, committed in the order they were made: all at once when a field is
 * left (blur, Enter), or after a moment of quiet. One queue per panel means a field left early also commits an
 * edit still waiting in another field first, so edits reach the store in order.
 */

export const QUIET_MS = 350;

export class DraftQueue {
  /** Owner (a field) → its pending commit; insertion order is the order of the edits. */
  private readonly pending = new Map<object, () => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly quietMs = QUIET_MS) {}

  /** Records `owner`'s latest pending commit (after every other pending one) and restarts the quiet time. */
  schedule(owner: object, commit: () => void): void {
    this.pending.delete(owner);
    this.pending.set(owner, commit);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.quietMs);
  }

  /** Commits every pending edit now, oldest first. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (;;) {
      const next = this.pending.entries().next();
      if (next.done) return;
      const [owner, commit] = next.value;
      this.pending.delete(owner);
      commit();
    }
  }

  has(owner: object): boolean {
    return this.pending.has(owner);
  }
}
