/**
 * Publishes a connection's FlowFiles: the offers of one moment are packed into few messages (bounded by the
 * server's max_payload and a FlowFile count), each published once with a message id derived from its
 * content, so a retry after a timeout, or a session replayed after a crash, is recognised by the stream's
 * duplicate window instead of stored twice.
 */
import { createHash } from 'node:crypto';
import type { ProcessorLogger } from '../engine/contract';
import type { FlowFile } from '../engine/flowfile';
import { encodeMessages, type OutgoingFlowFile } from './codec';
import type { ContentStore } from './content-store';
import { type NatsLink, sleep } from './nats-link';

/** One stored message, as the stream acknowledged it. */
export interface PublishedMessage {
  seq: number;
  count: number;
  bytes: number;
  oldestEntryDate: number;
  /** The stream already had this message (a retry or a replay): it was not stored again. */
  duplicate: boolean;
}

export interface PublisherOptions {
  /** FlowFiles per message at most. */
  maxCount?: number;
  /** How long a lone offer waits for others to share its message, ms (0 = the current event-loop turn). */
  lingerMs?: number;
  /** How long a publish is retried while NATS is unreachable before the session fails, ms. */
  retryForMs?: number;
  /** Where a FlowFile was taken from (`stream seq`), so a replayed session publishes the same message ids. */
  originOf?: (flowFileId: string) => string | undefined;
  logger?: ProcessorLogger;
}

interface Pending {
  ffs: readonly FlowFile[];
  resolve: (messages: PublishedMessage[]) => void;
  reject: (err: unknown) => void;
}

/** A rejection the server gave (a limit, a bad subject): retrying cannot help. */
function isDefinite(err: unknown): boolean {
  return (err as { api_error?: unknown }).api_error !== undefined;
}

export class QueuePublisher {
  private pending: Pending[] = [];
  private pendingCount = 0;
  private scheduled = false;
  private readonly maxCount: number;
  private readonly lingerMs: number;
  private readonly retryForMs: number;
  /** Messages stored and the FlowFiles they carried, since start. */
  readonly stats = { messages: 0, flowFiles: 0 };

  constructor(
    private readonly link: NatsLink,
    readonly subject: string,
    private readonly content: ContentStore,
    private readonly options: PublisherOptions = {},
  ) {
    this.maxCount = options.maxCount ?? 10_000;
    this.lingerMs = options.lingerMs ?? 0;
    this.retryForMs = options.retryForMs ?? 60_000;
  }

  /** Resolves once every FlowFile is stored in the stream. */
  publish(ffs: readonly FlowFile[]): Promise<PublishedMessage[]> {
    if (ffs.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({ ffs, resolve, reject });
      this.pendingCount += ffs.length;
      if (this.pendingCount >= this.maxCount) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        if (this.lingerMs > 0) setTimeout(() => this.flush(), this.lingerMs);
        else setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.pendingCount = 0;
    const all = batch.length === 1 ? batch[0]!.ffs : batch.flatMap((p) => p.ffs);
    this.send(all).then(
      (messages) => {
        for (const p of batch) p.resolve(messages);
      },
      (err) => {
        for (const p of batch) p.reject(err);
      },
    );
  }

  private async send(ffs: readonly FlowFile[]): Promise<PublishedMessage[]> {
    const items: OutgoingFlowFile[] = new Array(ffs.length);
    const uploads: Promise<void>[] = [];
    for (let i = 0; i < ffs.length; i++) {
      const ff = ffs[i]!;
      items[i] = { ff };
      if (this.content.needsClaim(ff))
        uploads.push(
          this.content.put(ff).then((claim) => {
            items[i]!.claim = claim;
          }),
        );
    }
    await Promise.all(uploads);
    const maxBytes = this.link.maxPayload - 4096;
    const messages = encodeMessages(items, maxBytes, this.maxCount);
    return Promise.all(messages.map((m) => this.sendOne(m.data, m.items)));
  }

  private messageId(group: readonly OutgoingFlowFile[]): string {
    const h = createHash('sha1').update(this.subject);
    const originOf = this.options.originOf;
    for (const { ff } of group) h.update(`\n${ff.id}@${originOf?.(ff.id) ?? ''}`);
    return h.digest('base64url');
  }

  private async sendOne(data: Buffer, group: readonly OutgoingFlowFile[]): Promise<PublishedMessage> {
    const msgID = this.messageId(group);
    const claims = group.flatMap((g) => (g.claim === undefined ? [] : [g.claim]));
    const deadline = Date.now() + this.retryForMs;
    for (let attempt = 1; ; attempt++) {
      try {
        // A short timeout: a retry is safe (same message id), and a publish lost in a server restart is retried soon.
        const ack = await this.link.js.publish(this.subject, data, { msgID, timeout: 2000 });
        // A duplicate on the first attempt is an earlier session's message with claims of its own.
        if (ack.duplicate && attempt === 1) this.content.release(claims);
        this.stats.messages++;
        this.stats.flowFiles += group.length;
        let bytes = 0;
        let oldest = Number.POSITIVE_INFINITY;
        for (const { ff } of group) {
          bytes += ff.size;
          if (ff.entryDate < oldest) oldest = ff.entryDate;
        }
        return { seq: ack.seq, count: group.length, bytes, oldestEntryDate: oldest, duplicate: ack.duplicate };
      } catch (err) {
        if (isDefinite(err)) {
          this.content.release(claims);
          const api = (err as { api_error?: { description?: string } }).api_error;
          throw new Error(
            `NATS refused ${group.length} FlowFile(s) on ${this.subject}: ${api?.description ?? (err as Error).message}`,
          );
        }
        if (this.link.nc.isClosed() || Date.now() > deadline)
          throw new Error(`could not publish to ${this.subject}: ${(err as Error).message}`);
        if (attempt === 1)
          this.options.logger?.warn(
            { subject: this.subject, err: (err as Error).message },
            'publish to NATS failed; retrying with the same message id',
          );
        await sleep(Math.min(2000, 100 * attempt));
      }
    }
  }
}
