/**
 * The bulletin board: the last bulletins of every flow in one bounded ring, as NiFi's bulletin board keeps them.
 * A processor keeps only its own last few bulletins and loses them when its flow is replaced or deleted; the
 * board keeps them across stops, restarts and redefinitions (not across a server restart). Each bulletin gets
 * an id that only grows, so a client polls for what is new with `after`. A bulletin holds the text the processor
 * posted and nothing more (no config, no FlowFile content).
 */
import type { Bulletin } from '../engine/running-processor';

export type BulletinLevel = Bulletin['level'];
export const BULLETIN_LEVELS: readonly BulletinLevel[] = ['error', 'warn'];

/** One bulletin as the board keeps it. */
export interface BoardBulletin {
  /** Grows by one with each bulletin posted (never reused while the server runs). */
  id: number;
  time: number;
  level: BulletinLevel;
  flowId: string;
  /** The processor's global id (`group__processor` inside groups). */
  processorId: string;
  processorName: string;
  processorType: string;
  message: string;
  flowFileIds: string[];
}

export interface BulletinQuery {
  flowId?: string;
  processorId?: string;
  level?: BulletinLevel;
  /** Case-insensitive text found in the message, the processor's name, id or type, or the flow id. */
  text?: string;
  /** Only bulletins with a larger id (what is new since the last poll). */
  after?: number;
  /** At most this many (the newest). */
  limit?: number;
}

export interface BulletinPage {
  /** Newest first. */
  bulletins: BoardBulletin[];
  /** The id of the newest bulletin on the board (0 when none was ever posted): the next poll's `after`. */
  lastId: number;
  /** More bulletins matched than `limit`. */
  truncated: boolean;
}

/** The processor a bulletin comes from, as the engine knows it. */
export interface BulletinSource {
  id: string;
  name?: string;
  type: string;
}

export const DEFAULT_BOARD_CAPACITY = 5000;

export class BulletinBoard {
  private readonly ring: (BoardBulletin | undefined)[];
  /** Where the next bulletin goes. */
  private next = 0;
  private lastId = 0;

  constructor(readonly capacity = DEFAULT_BOARD_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity must be a positive integer`);
    this.ring = new Array(capacity);
  }

  /** Keeps a bulletin a processor posted; the oldest on the board goes when it is full. */
  post(flowId: string, source: BulletinSource, bulletin: Bulletin): BoardBulletin {
    const entry: BoardBulletin = {
      id: ++this.lastId,
      time: bulletin.time,
      level: bulletin.level,
      flowId,
      processorId: source.id,
      processorName: source.name ?? source.id,
      processorType: source.type,
      message: bulletin.message,
      flowFileIds: [...bulletin.flowFileIds],
    };
    this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    return entry;
  }

  /** How many bulletins the board holds. */
  get size(): number {
    return Math.min(this.lastId, this.capacity);
  }

  query(q: BulletinQuery = {}): BulletinPage {
    const limit = q.limit ?? 100;
    const text = q.text?.toLowerCase();
    const out: BoardBulletin[] = [];
    let truncated = false;
    for (let i = 1; i <= this.size; i++) {
      const b = this.ring[(this.next - i + this.capacity) % this.capacity]!;
      if (q.after !== undefined && b.id <= q.after) break;
      if (!matches(b, q, text)) continue;
      if (out.length === limit) {
        truncated = true;
        break;
      }
      out.push(b);
    }
    return { bulletins: out, lastId: this.lastId, truncated };
  }
}

function matches(b: BoardBulletin, q: BulletinQuery, text: string | undefined): boolean {
  if (q.flowId !== undefined && b.flowId !== q.flowId) return false;
  if (q.processorId !== undefined && b.processorId !== q.processorId) return false;
  if (q.level !== undefined && b.level !== q.level) return false;
  if (!text) return true;
  return [b.message, b.processorName, b.processorId, b.processorType, b.flowId].some((s) =>
    s.toLowerCase().includes(text),
  );
}
