/**
 * The keys DetectDuplicate remembers, oldest first, and their persisted form. The persisted state holds
 * exactly what memory holds (so maxEntries and the window bound both), in chunks of CHUNK keys by arrival,
 * `seen.<n>` = JSON [[key, firstSeenMs, flowFileId], ...]: a session rewrites only the chunks it changed (the
 * newest, and the oldest when keys expire), not every key.
 */
import type { ProcessorStateValues } from '../../sdk';

const CHUNK = 1000;
const PREFIX = 'seen.';

interface Entry {
  at: number;
  id: string;
  chunk: number;
}

export class SeenKeys {
  /** Insertion order is arrival order, so the oldest come first. */
  private readonly entries = new Map<string, Entry>();
  private readonly chunks = new Map<number, Set<string>>();
  /** Chunks changed since the last commit that persisted them (a rolled-back session's changes stay here). */
  private readonly dirty = new Set<number>();
  private seq = 0;

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries: number,
    restored?: ProcessorStateValues,
    now = Date.now(),
  ) {
    if (restored) this.restore(restored, now);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The FlowFile id that first had this key within the window, if any. */
  lookup(key: string, now: number): string | undefined {
    this.evict(now);
    return this.entries.get(key)?.id;
  }

  add(key: string, id: string, now: number): void {
    this.delete(key);
    this.insert(key, { at: now, id, chunk: Math.floor(this.seq++ / CHUNK) });
    if (this.entries.size > this.maxEntries) this.delete(this.entries.keys().next().value!);
  }

  /** Undoes an add (the session that made it rolled back). */
  forget(key: string, id: string): void {
    if (this.entries.get(key)?.id === id) this.delete(key);
  }

  /** The state to persist: `committed` with the changed chunks rewritten; undefined when nothing changed. */
  persisted(committed: ProcessorStateValues | undefined): Record<string, string> | undefined {
    if (this.dirty.size === 0) return undefined;
    const next: Record<string, string> = { ...committed };
    for (const chunk of this.dirty) {
      const keys = this.chunks.get(chunk);
      if (!keys) delete next[PREFIX + chunk];
      else
        next[PREFIX + chunk] = JSON.stringify(
          [...keys].map((key) => {
            const e = this.entries.get(key)!;
            return [key, e.at, e.id];
          }),
        );
    }
    return next;
  }

  /** The session that persisted the state `persisted` gave committed. */
  markPersisted(): void {
    this.dirty.clear();
  }

  private evict(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.at < this.windowMs) break;
      this.delete(key);
    }
  }

  private insert(key: string, entry: Entry): void {
    this.entries.set(key, entry);
    let keys = this.chunks.get(entry.chunk);
    if (!keys) {
      keys = new Set();
      this.chunks.set(entry.chunk, keys);
    }
    keys.add(key);
    this.dirty.add(entry.chunk);
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const keys = this.chunks.get(entry.chunk)!;
    keys.delete(key);
    if (keys.size === 0) this.chunks.delete(entry.chunk);
    this.dirty.add(entry.chunk);
  }

  /** Loads the persisted chunks in arrival order, keeping their numbers, then drops what expired meanwhile. */
  private restore(state: ProcessorStateValues, now: number): void {
    const numbers = Object.keys(state)
      .filter((name) => /^seen\.\d+$/.test(name))
      .map((name) => Number(name.slice(PREFIX.length)))
      .sort((a, b) => a - b);
    for (const chunk of numbers) {
      for (const [key, at, id] of parseChunk(state[PREFIX + chunk]!, PREFIX + chunk)) {
        this.delete(key);
        this.insert(key, { at, id, chunk });
      }
      this.seq = (chunk + 1) * CHUNK;
    }
    this.dirty.clear();
    this.evict(now);
    while (this.entries.size > this.maxEntries) this.delete(this.entries.keys().next().value!);
  }
}

function parseChunk(text: string, name: string): [string, number, string][] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const valid =
    Array.isArray(value) &&
    value.every(
      (e) =>
        Array.isArray(e) &&
        e.length === 3 &&
        typeof e[0] === 'string' &&
        Number.isFinite(e[1]) &&
        typeof e[2] === 'string',
    );
  if (!valid) throw new Error(`the persisted state "${name}" is not a list of [key, time, FlowFile id]`);
  return value as [string, number, string][];
}
