/**
 * Publishes a connection's FlowFiles. A session's outputs go out under its transaction id (a `Sluice-Txn`
 * header; see txn-ledger), split into messages bounded by the server's max_payload and a FlowFile count, with
 * message ids `<txn>.<connection>.<n>`, so a retry after a timeout is recognised by the stream's duplicate
 * window instead of stored twice. Offers outside a session (a replay, a hand-back) are packed with the others
 * of the same moment, under ids derived from the FlowFile ids and the caller's `idPrefix`.
 */
import { createHash } from 'node:crypto';
import { headers as natsHeaders } from 'nats';
import type { ProcessorLogger } from '../engine/contract';
import type { FlowFile } from '../engine/flowfile';
import { encodeMessages, type OutgoingFlowFile } from './codec';
import type { ContentStore } from './content-store';
import type { NatsLink } from './nats-link';
import { apiError, isRefusal, withRetry } from './retry';
import { TXN_HEADER } from './txn-ledger';

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
  logger?: ProcessorLogger;
}

/** How a publish is identified: a session's transaction, or a prefix for offers outside a session. */
export interface PublishTag {
  txn?: string;
  idPrefix?: string;
}

interface Pending {
  ffs: readonly FlowFile[];
  idPrefix: string;
  resolve: (messages: PublishedMessage[]) => void;
  reject: (err: unknown) => void;
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
  publish(ffs: readonly FlowFile[], tag: PublishTag = {}): Promise<PublishedMessage[]> {
    if (ffs.length === 0) return Promise.resolve([]);
    // A session's messages are its own: never packed with another session's (each has its own outcome).
    if (tag.txn !== undefined) return this.send(ffs, tag.txn);
    const idPrefix = tag.idPrefix ?? '';
    return new Promise((resolve, reject) => {
      this.pending.push({ ffs, idPrefix, resolve, reject });
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
    const prefix = batch.map((p) => p.idPrefix).join(',');
    this.send(all, undefined, prefix).then(
      (messages) => {
        for (const p of batch) p.resolve(messages);
      },
      (err) => {
        for (const p of batch) p.reject(err);
      },
    );
  }

  private async send(ffs: readonly FlowFile[], txn?: string, idPrefix = ''): Promise<PublishedMessage[]> {
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
    const token = this.subject.slice(this.subject.lastIndexOf('.') + 1);
    return Promise.all(
      messages.map((m, n) =>
        this.sendOne(
          m.data,
          m.items,
          txn === undefined ? this.messageId(idPrefix, m.items) : `${txn}.${token}.${n}`,
          txn,
        ),
      ),
    );
  }

  private messageId(prefix: string, group: readonly OutgoingFlowFile[]): string {
    const h = createHash('sha1').update(this.subject).update(prefix);
    for (const { ff } of group) h.update(`\n${ff.id}`);
    return h.digest('base64url');
  }

  private async sendOne(
    data: Buffer,
    group: readonly OutgoingFlowFile[],
    msgID: string,
    txn: string | undefined,
  ): Promise<PublishedMessage> {
    const claims = group.flatMap((g) => (g.claim === undefined ? [] : [g.claim]));
    let h: ReturnType<typeof natsHeaders> | undefined;
    if (txn !== undefined) {
      h = natsHeaders();
      h.set(TXN_HEADER, txn);
    }
    try {
      const ack = await withRetry(
        // A short timeout: a retry is safe (same message id), and a publish lost in a server restart is retried soon.
        (attempt) =>
          this.link.js.publish(this.subject, data, { msgID, timeout: 2000, ...(h && { headers: h }) }).then((a) => {
            // A duplicate on the first attempt is an earlier publish's message with claims of its own.
            if (a.duplicate && attempt === 1) this.content.release(claims);
            return a;
          }),
        {
          what: `publish to ${this.subject}`,
          retryForMs: this.retryForMs,
          closed: () => this.link.nc.isClosed(),
          logger: this.options.logger,
        },
      );
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
      if (!isRefusal(err)) throw err;
      this.content.release(claims);
      throw new Error(
        `NATS refused ${group.length} FlowFile(s) on ${this.subject}: ${apiError(err)?.description ?? (err as Error).message}`,
      );
    }
  }
}
