/**
 * Reads a connection's messages straight from the stream (direct get, by subject from the ack floor), without
 * consuming them: the queue view of FlowFiles wherever they are, in this process, another one, or not yet
 * fetched by anyone.
 */
import type { FlowFile } from '../engine/flowfile';
import type { NatsLink } from '../nats/nats-link';
import { type DecodedFlowFile, decodeBatch } from '../nats/codec';
import type { JetStreamQueueContext } from './jetstream-queue';
import type { QueuedFlowFile } from './queue';

/** Messages read at most per call: a bound on the work a queue view costs. */
const MAX_MESSAGES = 500;

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

  async list(limit: number, now: number): Promise<QueuedFlowFile[]> {
    const out: QueuedFlowFile[] = [];
    for await (const { entries } of this.messages()) {
      for (const e of entries) {
        if (out.length >= limit) return out;
        out.push({
          position: out.length,
          id: e.id,
          attributes: e.attributes,
          size: e.size,
          ageMs: now - e.entryDate,
          penalized: false,
        });
      }
    }
    return out;
  }

  /** A waiting FlowFile with its content (downloaded when claimed), or undefined. */
  async find(flowFileId: string): Promise<FlowFile | undefined> {
    for await (const { entries } of this.messages()) {
      const e = entries.find((x) => x.id === flowFileId);
      if (!e) continue;
      const content = e.claim !== undefined ? await this.ctx.content.get(e.claim) : (e.content ?? Buffer.alloc(0));
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
