/**
 * Live taps on connections (Node-RED's debug sidebar, NiFi's "list queue" while it flows): a watched connection
 * keeps the last FlowFiles that entered it in a small ring, at most `maxPerSecond` captured per second (the rest
 * only counted), and tells its listeners. A tap nobody asked for within `idleMs` goes away. When nothing is
 * watched, the engine's only cost per commit is `TapRegistry.active` (a Map size read).
 */
import type { Attributes, FlowFile } from './flowfile';

/** Entries a watched connection keeps. */
export const TAP_RING_SIZE = 100;
/** FlowFiles captured per second and connection; more are counted as skipped. */
export const TAP_MAX_PER_SECOND = 50;
/** A tap nobody kept alive (open stream, POST) this long stops. */
export const TAP_IDLE_MS = 30_000;
/** Content kept per entry (enough to pin the FlowFile as a test fixture). */
export const TAP_CONTENT_BYTES = 64 * 1024;

/** One FlowFile as it entered a watched connection. */
export interface TapEntry {
  /** Grows by one per entry of this tap. */
  seq: number;
  time: number;
  connectionId: string;
  flowFileId: string;
  attributes: Readonly<Attributes>;
  size: number;
  /** The first TAP_CONTENT_BYTES of the content (a copy: the FlowFile's buffer is not retained). */
  content: Buffer;
}

/** What a watched connection holds now. */
export interface TapSnapshot {
  connectionId: string;
  /** Newest first. */
  entries: TapEntry[];
  /** FlowFiles that passed while the per-second budget was spent (since the tap started). */
  skipped: number;
  /** FlowFiles that passed in all (captured or skipped). */
  seen: number;
}

export type TapListener = (connectionId: string, entry: TapEntry | undefined, ended: boolean) => void;

export interface TapLimits {
  ringSize: number;
  maxPerSecond: number;
  idleMs: number;
  contentBytes: number;
}

const DEFAULT_LIMITS: TapLimits = {
  ringSize: TAP_RING_SIZE,
  maxPerSecond: TAP_MAX_PER_SECOND,
  idleMs: TAP_IDLE_MS,
  contentBytes: TAP_CONTENT_BYTES,
};

/** One watched connection: a ring of entries and a one-second capture budget. */
export class ConnectionTap {
  private readonly ring: (TapEntry | undefined)[];
  private next = 0;
  private seq = 0;
  private windowStart = 0;
  private windowCount = 0;
  skipped = 0;
  seen = 0;
  lastAsked: number;

  constructor(
    readonly connectionId: string,
    private readonly limits: TapLimits,
    now: number,
  ) {
    this.ring = new Array(limits.ringSize);
    this.lastAsked = now;
  }

  /** The entry made of `ff`, or undefined when this second's budget is spent. */
  capture(ff: FlowFile, now: number): TapEntry | undefined {
    this.seen++;
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    if (this.windowCount >= this.limits.maxPerSecond) {
      this.skipped++;
      return undefined;
    }
    this.windowCount++;
    const entry: TapEntry = {
      seq: ++this.seq,
      time: now,
      connectionId: this.connectionId,
      flowFileId: ff.id,
      attributes: ff.attributes,
      size: ff.size,
      content: Buffer.from(ff.content.subarray(0, this.limits.contentBytes)),
    };
    this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.ring.length;
    return entry;
  }

  /** How many entries the ring holds. */
  get size(): number {
    return Math.min(this.seq, this.ring.length);
  }

  snapshot(): TapSnapshot {
    const entries: TapEntry[] = [];
    for (let i = 1; i <= this.size; i++)
      entries.push(this.ring[(this.next - i + this.ring.length) % this.ring.length]!);
    return { connectionId: this.connectionId, entries, skipped: this.skipped, seen: this.seen };
  }
}

/** The taps of one flow's engine. */
export class TapRegistry {
  private readonly taps = new Map<string, ConnectionTap>();
  private readonly listeners = new Set<TapListener>();
  private readonly limits: TapLimits;

  constructor(limits: Partial<TapLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Anything watched? The one check the commit path makes when nothing is. */
  get active(): boolean {
    return this.taps.size > 0;
  }

  /** Starts watching `connectionId`, or keeps its tap alive. */
  watch(connectionId: string, now = Date.now()): ConnectionTap {
    let tap = this.taps.get(connectionId);
    if (!tap) {
      tap = new ConnectionTap(connectionId, this.limits, now);
      this.taps.set(connectionId, tap);
    }
    tap.lastAsked = now;
    return tap;
  }

  /** Keeps the taps of these connections alive (a client's open stream); unknown ones are ignored. */
  touch(connectionIds: Iterable<string>, now = Date.now()): void {
    for (const id of connectionIds) {
      const tap = this.taps.get(id);
      if (tap) tap.lastAsked = now;
    }
  }

  get(connectionId: string): ConnectionTap | undefined {
    return this.taps.get(connectionId);
  }

  watched(): string[] {
    return [...this.taps.keys()];
  }

  unwatch(connectionId: string): boolean {
    if (!this.taps.delete(connectionId)) return false;
    for (const listener of this.listeners) listener(connectionId, undefined, true);
    return true;
  }

  /** FlowFiles entering `connectionId`: captured when it is watched. */
  capture(connectionId: string, ffs: readonly FlowFile[], now = Date.now()): void {
    const tap = this.taps.get(connectionId);
    if (!tap) return;
    for (const ff of ffs) {
      const entry = tap.capture(ff, now);
      if (entry) for (const listener of this.listeners) listener(connectionId, entry, false);
    }
  }

  /** Stops the taps nobody asked for within the idle time. */
  expire(now = Date.now()): void {
    for (const tap of [...this.taps.values()])
      if (now - tap.lastAsked >= this.limits.idleMs) this.unwatch(tap.connectionId);
  }

  /** Stops every tap (the connection set changed, the flow went away). */
  retain(connectionIds: ReadonlySet<string>): void {
    for (const id of [...this.taps.keys()]) if (!connectionIds.has(id)) this.unwatch(id);
  }

  /** Told of each captured entry and of each tap that ended; returns the unsubscribe. */
  listen(listener: TapListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
