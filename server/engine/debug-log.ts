/**
 * A flow's debug log: what its processors handed to `ctx.debug(...)` (LogAttribute's lines), newest kept in one
 * bounded ring per flow, as the bulletin board keeps bulletins. Listeners (the debug panel's stream) are told of
 * each entry as it is posted; the ring survives stops and redefinitions of the flow, not a server restart.
 */
import type { DebugInput } from './contract';

export const DEBUG_LOG_CAPACITY = 500;
/** Longest text kept per entry (message and content each). */
export const DEBUG_TEXT_LIMIT = 4096;

/** One debug line as the log keeps it. */
export interface DebugEntry {
  /** Grows by one with each entry of this log (never reused while the server runs). */
  id: number;
  time: number;
  processorId: string;
  processorName: string;
  processorType: string;
  message: string;
  flowFileId?: string;
  attributes?: Readonly<Record<string, string>>;
  content?: string;
}

export interface DebugSource {
  id: string;
  name?: string;
  type: string;
}

export type DebugListener = (entry: DebugEntry | undefined) => void;

export class DebugLog {
  private readonly ring: (DebugEntry | undefined)[];
  private next = 0;
  private lastId = 0;
  /** Entries before this id were cleared. */
  private clearedBefore = 1;
  private readonly listeners = new Set<DebugListener>();

  constructor(readonly capacity = DEBUG_LOG_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('capacity must be a positive integer');
    this.ring = new Array(capacity);
  }

  post(source: DebugSource, input: DebugInput, time = Date.now()): DebugEntry {
    const entry: DebugEntry = {
      id: ++this.lastId,
      time,
      processorId: source.id,
      processorName: source.name ?? source.id,
      processorType: source.type,
      message: cut(String(input.message)),
      ...(input.flowFileId !== undefined && { flowFileId: input.flowFileId }),
      ...(input.attributes !== undefined && { attributes: { ...input.attributes } }),
      ...(input.content !== undefined && { content: cut(input.content) }),
    };
    this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    for (const listener of this.listeners) listener(entry);
    return entry;
  }

  /** Newest first; only `processorId`'s when given; at most `limit`. */
  entries(query: { processorId?: string; limit?: number } = {}): DebugEntry[] {
    const limit = query.limit ?? this.capacity;
    const out: DebugEntry[] = [];
    const held = Math.min(this.lastId - this.clearedBefore + 1, this.capacity);
    for (let i = 1; i <= held && out.length < limit; i++) {
      const e = this.ring[(this.next - i + this.capacity) % this.capacity]!;
      if (query.processorId === undefined || e.processorId === query.processorId) out.push(e);
    }
    return out;
  }

  get size(): number {
    return Math.min(this.lastId - this.clearedBefore + 1, this.capacity);
  }

  /** Forgets every entry (the panel's clear button); listeners get `undefined`. */
  clear(): void {
    this.clearedBefore = this.lastId + 1;
    this.ring.fill(undefined);
    for (const listener of this.listeners) listener(undefined);
  }

  listen(listener: DebugListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function cut(text: string): string {
  return text.length > DEBUG_TEXT_LIMIT ? `${text.slice(0, DEBUG_TEXT_LIMIT)}…` : text;
}
