/**
 * Reads a connection's messages straight from the stream (direct get, by subject from the ack floor), without
 * consuming them: the queue view of FlowFiles wherever they are, in this process, another one, or not yet
 * fetched by anyone.
 */
import type { FlowFile } from '../engine/flowfile';
import type { QueuedFlowFile } from '../engine/queue';
import { type DecodedFlowFile, decodeBatch } from './codec';
import type { JetStreamQueueContext } from './jetstream-queue';
import type { NatsLink } from './nats-link';

/** Messages read at most per call: a bound on the work a queue view costs. */
const MAX_MESSAGES = 500;

/** A FlowFile read from the stream: inline content, or none yet when it is claimed (large). */
export interface BrowsedFlowFile {
  seq: number;
  ff: FlowFile;
  claim?: string;
}

const EMPTY = Buffer.alloc(0);

export class QueueBrowser {
  constructor(private readonly ctx: JetStreamQueueContext) {}

  private async *messages(): AsyncGenerator<{ seq: number; entries: DecodedFlowFile[] }> {
    const { jsm } = this.ctx.link;
    const ci = await jsm.consumers.info(this.ctx.stream, this.ctx.durable);
    let seq = ci.ack_floor.stream_seq + 1;
    for (let n = 0; n < MAX_MESSAGES; n++) {
      let sm: Awaited<ReturnType<NatsLink['directGet']>>;
      try {
        sm = await this.ctx.link.directGet(this.ctx.stream, { seq, next_by_subj: this.ctx.subject });
      } catch {
        return; // no further message on the subject
      }
      let entries: DecodedFlowFile[];
      try {
        entries = decodeBatch(sm.data);
      } catch {
        entries = [];
      }
      yield { seq: sm.seq, entries };
      seq = sm.seq + 1;
    }
  }

  /** The first `limit` FlowFiles waiting in the stream, in stream order, skipping messages `skip` selects. */
  async read(limit: number, skip: (seq: number) => boolean = () => false): Promise<BrowsedFlowFile[]> {
    const out: BrowsedFlowFile[] = [];
    for await (const { seq, entries } of this.messages()) {
      if (skip(seq)) continue;
      for (const e of entries) {
        if (out.length >= limit) return out;
        const ff: FlowFile = {
          id: e.id,
          attributes: e.attributes,
          content: e.content ?? EMPTY,
          size: e.size,
          entryDate: e.entryDate,
          lineageStartDate: e.lineageStartDate,
        };
        out.push({ seq, ff, claim: e.claim });
      }
      if (out.length >= limit) return out;
    }
    return out;
  }

  async list(limit: number, now: number): Promise<QueuedFlowFile[]> {
    return (await this.read(limit)).map(({ ff }, position) => queued(ff, position, now, false));
  }

  /** A waiting FlowFile with its content (downloaded when claimed), or undefined. */
  async find(flowFileId: string): Promise<FlowFile | undefined> {
    for await (const { entries } of this.messages()) {
      const e = entries.find((x) => x.id === flowFileId);
      if (!e) continue;
      const content = e.claim !== undefined ? await this.ctx.content.get(e.claim) : (e.content ?? EMPTY);
      return {
        id: e.id,
        attributes: e.attributes,
        content,
        size: content.length,
        entryDate: e.entryDate,
        lineageStartDate: e.lineageStartDate,
      };
    }
    return undefined;
  }
}

export function queued(ff: FlowFile, position: number, now: number, penalized: boolean): QueuedFlowFile {
  return { position, id: ff.id, attributes: ff.attributes, size: ff.size, ageMs: now - ff.entryDate, penalized };
}

/**
 * A background read of the stream for synchronous callers: `entries()` answers from the last read and starts
 * the next one when that is older than `everyMs`.
 */
export class StreamPeek {
  private snapshot: { at: number; entries: BrowsedFlowFile[] } = { at: 0, entries: [] };
  private reading: Promise<void> | undefined;

  constructor(
    private readonly browser: QueueBrowser,
    /** Messages to leave out (those this process holds: it lists their FlowFiles itself). */
    private readonly skip: (seq: number) => boolean,
    private readonly everyMs = 1000,
  ) {}

  private size = 100;

  /** What the last read saw; asks the next read for `want` FlowFiles (at most 1,000). */
  entries(want = 100): readonly BrowsedFlowFile[] {
    if (want > this.size) this.size = Math.min(want, 1000);
    if (!this.reading && Date.now() - this.snapshot.at >= this.everyMs)
      this.reading = this.browser
        .read(this.size, this.skip)
        .then(
          (entries) => {
            this.snapshot = { at: Date.now(), entries };
          },
          () => {},
        )
        .finally(() => {
          this.reading = undefined;
        });
    return this.snapshot.entries;
  }
}
