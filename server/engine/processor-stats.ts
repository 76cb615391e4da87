/** Counters of one processor, and the share of each second it spent busy, idle and blocked by backpressure. */
export interface ProcessorCounters {
  in: number;
  out: number;
  bytesIn: number;
  bytesOut: number;
  tasks: number;
  errors: number;
}

export interface ProcessorRates {
  busyMsPerSecond: number;
  idleMsPerSecond: number;
  backPressuredMsPerSecond: number;
}

interface Sample extends ProcessorCounters {
  at: number;
  busyMs: number;
  backPressuredMs: number;
}

const WINDOW_MS = 5 * 60 * 1000;
const SAMPLE_EVERY_MS = 10_000;

export class ProcessorStats {
  readonly counters: ProcessorCounters = { in: 0, out: 0, bytesIn: 0, bytesOut: 0, tasks: 0, errors: 0 };
  private busyMs = 0;
  private backPressuredMs = 0;
  private readonly busySince = new Map<number, number>();
  private readonly blockedSince = new Map<number, number>();
  private nextToken = 0;
  private rateSample: Sample;
  private rates: ProcessorRates = { busyMsPerSecond: 0, idleMsPerSecond: 1000, backPressuredMsPerSecond: 0 };
  private readonly history: Sample[] = [];

  constructor(
    private readonly concurrency: number,
    now = Date.now(),
  ) {
    this.rateSample = this.sample(now);
    this.history.push(this.rateSample);
  }

  /** Starts a busy span; returns a token for endBusy. */
  beginBusy(now: number): number {
    const token = this.nextToken++;
    this.busySince.set(token, now);
    return token;
  }

  endBusy(token: number, now: number): void {
    this.busyMs += now - (this.busySince.get(token) ?? now);
    this.busySince.delete(token);
  }

  /** Starts a span blocked by backpressure; returns a token for endBlocked. */
  beginBlocked(now: number): number {
    const token = this.nextToken++;
    this.blockedSince.set(token, now);
    return token;
  }

  endBlocked(token: number, now: number): void {
    this.backPressuredMs += now - (this.blockedSince.get(token) ?? now);
    this.blockedSince.delete(token);
  }

  private sample(now: number): Sample {
    let busy = this.busyMs;
    for (const s of this.busySince.values()) busy += now - s;
    let blocked = this.backPressuredMs;
    for (const s of this.blockedSince.values()) blocked += now - s;
    return { ...this.counters, at: now, busyMs: busy, backPressuredMs: blocked };
  }

  /** Called about once a second by the engine: rolls the per-second rates and the 5-minute history. */
  tick(now: number): void {
    const current = this.sample(now);
    const elapsed = now - this.rateSample.at;
    if (elapsed >= 500) {
      const scale = 1000 / (elapsed * this.concurrency);
      const busy = Math.min(1000, Math.round((current.busyMs - this.rateSample.busyMs) * scale));
      const blocked = Math.min(
        1000 - busy,
        Math.round((current.backPressuredMs - this.rateSample.backPressuredMs) * scale),
      );
      this.rates = { busyMsPerSecond: busy, backPressuredMsPerSecond: blocked, idleMsPerSecond: 1000 - busy - blocked };
      this.rateSample = current;
    }
    if (now - this.history[this.history.length - 1]!.at >= SAMPLE_EVERY_MS) this.history.push(current);
    while (this.history.length > 1 && now - this.history[0]!.at > WINDOW_MS) this.history.shift();
  }

  currentRates(): ProcessorRates {
    return this.rates;
  }

  /** Counters over (about) the last five minutes. */
  lastFiveMinutes(): Omit<ProcessorCounters, 'errors' | 'tasks'> {
    const old = this.history[0]!;
    const c = this.counters;
    return {
      in: c.in - old.in,
      out: c.out - old.out,
      bytesIn: c.bytesIn - old.bytesIn,
      bytesOut: c.bytesOut - old.bytesOut,
    };
  }
}
