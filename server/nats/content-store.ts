/**
 * Large content lives in a JetStream Object Store bucket per flow; the queue message carries a claim (the
 * object's name). A claim belongs to exactly one FlowFile in one queue message: an output gets a claim of its
 * own (content is never shared between messages), and the claim is deleted when the message that holds it
 * is acknowledged, i.e. when the FlowFile has left that queue (moved on under a new claim, or left the flow).
 * So a crash, a redelivery or a duplicate never leaves a message pointing at deleted content.
 *
 * The objects are in the Object Store's own layout (chunks on `$O.<bucket>.C.<nuid>`, the description on
 * `$O.<bucket>.M.<base64url name>` with a SHA-256 digest), so `nats object` and the client's `views.os` read
 * them; but the transfers are Sluice's own, because the client's cost several times as much per byte:
 * - put: the FlowFile's Buffer goes out as chunks that are views of it (never copied as a whole here; the
 *   client copies each chunk into its socket buffer), at most `WINDOW` chunks unacknowledged at a time, so the
 *   client holds a few chunks, not the file; hashed once with node:crypto (the client hashes in JavaScript);
 *   without the client's look-up of an older object of the same name (a claim's name is always new). The
 *   description lists the chunks' stream sequences.
 * - get: one direct get of the description, then the chunks by sequence (direct gets, `WINDOW` in flight),
 *   each copied at its offset into ONE Buffer of the object's size as it arrives; no consumer is created per
 *   object (the client's get creates an ordered consumer and concatenates the chunks at the end). The digest
 *   is checked (node:crypto). An object without the sequence list (written by another client) is read
 *   through the client's stream, into one Buffer too.
 * - delete: as the client's (a tombstone replaces the description, then the chunks are purged), but the
 *   description is read with a direct get; see `remove` for why nothing is deleted by sequence.
 * Every call is retried with `withRetry` while NATS is unreachable; a missing claim is not retried.
 */
import { createHash, randomUUID } from 'node:crypto';
import { headers, type JetStreamManager, type ObjectStore, StorageType, type StoredMsg } from 'nats';
import type { ProcessorLogger } from '../engine/contract';
import type { FlowFile } from '../engine/flowfile';
import { contentBucket } from './names';
import type { NatsLink } from './nats-link';
import { withRetry } from './retry';

export const DEFAULT_INLINE_LIMIT = 256 * 1024;
/**
 * Bytes per chunk, capped at the server's max_payload. Measured with bench/large-content.ts (1 MB and 8 MB
 * objects, put + get + delete, nats-server 2.9.10, loopback): see the table there.
 */
const CHUNK_SIZE = 1024 * 1024;
/** Chunks of one object in flight (unacknowledged publishes, or direct gets awaiting their answer). */
const WINDOW = 4;
/** The description's metadata key holding the chunks' stream sequences (base-36 deltas, comma-separated). */
const SEQS_KEY = 'sluice-chunk-seqs';
/**
 * Longest sequence list kept in a description (a quarter of max_payload at most, 256 KB: ~60,000 chunks); a
 * larger object is read through the client's stream.
 */
const MAX_SEQS_CHARS = 256 * 1024;

export class ClaimMissingError extends Error {}

/** The object's content does not match its digest: reading it again cannot help. */
export class ContentCorruptError extends Error {}

/** Transfer settings, for benchmarks; the defaults are the measured best. */
export interface ContentStoreTuning {
  chunkSize?: number;
  window?: number;
}

/** The description of an object as the Object Store stores it (the client's `ServerObjectInfo`). */
interface ObjectDescription {
  name: string;
  description?: string;
  bucket: string;
  nuid: string;
  size: number;
  chunks: number;
  digest: string;
  mtime: string;
  deleted?: boolean;
  options?: { max_chunk_size?: number; link?: unknown };
  metadata?: Record<string, string>;
}

interface Bucket {
  os: ObjectStore;
  /** The stream behind it (`OBJ_<bucket>`). */
  stream: string;
}

interface DirectApi {
  getMessage(stream: string, query: { seq?: number; last_by_subj?: string }): Promise<StoredMsg>;
}

const b64url = (b64: string) => b64.replace(/\+/g, '-').replace(/\//g, '_');

/** The 404 of a direct get (no such message). */
function notFound(err: unknown): boolean {
  return (err as { code?: string })?.code === '404';
}

function encodeSeqs(seqs: readonly number[]): string {
  let prev = 0;
  let out = '';
  for (let i = 0; i < seqs.length; i++) {
    out += `${i === 0 ? '' : ','}${(seqs[i]! - prev).toString(36)}`;
    prev = seqs[i]!;
  }
  return out;
}

function decodeSeqs(text: string | undefined, count: number): number[] | undefined {
  if (!text) return undefined;
  const parts = text.split(',');
  if (parts.length !== count) return undefined;
  const seqs = new Array<number>(count);
  let prev = 0;
  for (let i = 0; i < count; i++) {
    prev += Number.parseInt(parts[i]!, 36);
    if (!Number.isSafeInteger(prev) || prev <= 0) return undefined;
    seqs[i] = prev;
  }
  return seqs;
}

/** Runs `task(0..count-1)` with at most `window` running at a time; rejects on the first failure. */
async function windowed(count: number, window: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < count) {
      const i = next++;
      try {
        await task(i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const lanes: Promise<void>[] = [];
  for (let k = 0; k < Math.min(window, count); k++) lanes.push(lane());
  await Promise.all(lanes);
}

export class ContentStore {
  private bucket: Promise<Bucket> | undefined;
  private readonly pending = new Set<Promise<void>>();
  private readonly bucketName: string;
  private readonly chunkSize: number;
  private readonly window: number;

  constructor(
    private readonly link: NatsLink,
    readonly flowId: string,
    /** Content above this many bytes goes to the bucket. */
    readonly inlineLimit = DEFAULT_INLINE_LIMIT,
    private readonly logger?: ProcessorLogger,
    /** Copies of the bucket (on a JetStream cluster). */
    private readonly replicas = 1,
    tuning: ContentStoreTuning = {},
  ) {
    this.bucketName = contentBucket(flowId);
    this.chunkSize = tuning.chunkSize ?? CHUNK_SIZE;
    this.window = Math.max(1, tuning.window ?? WINDOW);
  }

  /** The bucket, created on first use; looked up once per store (a failure is retried on the next call). */
  private store(): Promise<Bucket> {
    this.bucket ??= withRetry(
      () =>
        this.link.js.views.os(this.bucketName, {
          storage: StorageType.File,
          replicas: this.replicas,
          description: `Sluice content of flow ${this.flowId}`,
        }),
      this.retryOptions(`open content bucket ${this.bucketName}`),
    ).then(
      (os) => ({ os, stream: `OBJ_${this.bucketName}` }),
      (err) => {
        this.bucket = undefined;
        throw err;
      },
    );
    return this.bucket;
  }

  private retryOptions(what: string, retryForMs?: number) {
    return {
      what,
      retryForMs,
      logger: this.logger,
      closed: () => this.link.nc.isClosed(),
      isFinal: (err: unknown) => err instanceof ClaimMissingError || err instanceof ContentCorruptError,
    };
  }

  private get direct(): DirectApi {
    return (this.link.jsm as JetStreamManager & { direct: DirectApi }).direct;
  }

  private metaSubject(name: string): string {
    return `$O.${this.bucketName}.M.${b64url(Buffer.from(name, 'utf8').toString('base64'))}`;
  }

  private chunkSubject(nuid: string): string {
    return `$O.${this.bucketName}.C.${nuid}`;
  }

  needsClaim(ff: FlowFile): boolean {
    return ff.size > this.inlineLimit;
  }

  /** Stores a FlowFile's content under a new claim. */
  async put(ff: FlowFile): Promise<string> {
    const name = `${ff.id}.${randomUUID().slice(0, 8)}`;
    const { stream } = await this.store();
    // One chunk subject for every attempt: a retry first purges what an earlier attempt left.
    const nuid = randomUUID().replace(/-/g, '');
    try {
      await withRetry(
        async (attempt) => {
          if (attempt > 1) await this.link.jsm.streams.purge(stream, { filter: this.chunkSubject(nuid) });
          await this.upload(name, nuid, ff.content);
        },
        this.retryOptions(`store content of ${ff.id} in ${this.bucketName}`),
      );
    } catch (err) {
      // Whatever the attempts left (chunks, perhaps a description) goes, in the background.
      this.background(this.remove(stream, name, nuid, 5000), [name]);
      throw err;
    }
    return name;
  }

  private async upload(name: string, nuid: string, data: Buffer): Promise<void> {
    const chunkSize = Math.max(1, Math.min(this.chunkSize, this.link.maxPayload));
    const size = data.length;
    const chunks = Math.ceil(size / chunkSize);
    const subject = this.chunkSubject(nuid);
    const seqs = new Array<number>(chunks);
    await windowed(chunks, this.window, async (i) => {
      const ack = await this.link.js.publish(
        subject,
        data.subarray(i * chunkSize, Math.min(size, (i + 1) * chunkSize)),
      );
      seqs[i] = ack.seq;
    });
    const encoded = encodeSeqs(seqs);
    const info: ObjectDescription = {
      name,
      description: '',
      bucket: this.bucketName,
      nuid,
      size,
      chunks,
      digest: `SHA-256=${b64url(createHash('sha256').update(data).digest('base64'))}`,
      mtime: new Date().toISOString(),
      deleted: false,
      options: { max_chunk_size: chunkSize },
      ...(encoded.length <= Math.min(MAX_SEQS_CHARS, this.link.maxPayload / 4) && {
        metadata: { [SEQS_KEY]: encoded },
      }),
    };
    const h = headers();
    h.set('Nats-Rollup', 'sub');
    await this.link.js.publish(this.metaSubject(name), Buffer.from(JSON.stringify(info)), { headers: h });
  }

  /** The object's latest description (a tombstone too), or undefined when it has none. */
  private async lookup(stream: string, claim: string): Promise<{ info: ObjectDescription; seq: number } | undefined> {
    let msg: StoredMsg;
    try {
      msg = await this.direct.getMessage(stream, { last_by_subj: this.metaSubject(claim) });
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
    return { info: msg.json<ObjectDescription>(), seq: msg.seq };
  }

  /** The object's description; ClaimMissingError when there is none (or only a tombstone). */
  private async describe(stream: string, claim: string): Promise<ObjectDescription> {
    const found = await this.lookup(stream, claim);
    if (!found || found.info.deleted) throw this.missing(claim);
    return found.info;
  }

  private missing(claim: string): ClaimMissingError {
    return new ClaimMissingError(`content claim "${claim}" is missing from ${this.bucketName}`);
  }

  async get(claim: string): Promise<Buffer> {
    const bucket = await this.store();
    return withRetry(() => this.download(bucket, claim), this.retryOptions(`read content claim ${claim}`));
  }

  private async download(bucket: Bucket, claim: string): Promise<Buffer> {
    const info = await this.describe(bucket.stream, claim);
    if (info.options?.link) throw new Error(`content claim "${claim}" is a link, which Sluice never writes`);
    if (info.size === 0) return Buffer.alloc(0);
    // Every byte is written below before the Buffer is returned (the lengths are checked).
    const out = Buffer.allocUnsafe(info.size);
    const seqs = decodeSeqs(info.metadata?.[SEQS_KEY], info.chunks);
    const chunkSize = info.options?.max_chunk_size ?? 0;
    if (seqs && chunkSize > 0 && Math.ceil(info.size / chunkSize) === info.chunks) {
      const subject = this.chunkSubject(info.nuid);
      await windowed(info.chunks, this.window, async (i) => {
        let m: StoredMsg;
        try {
          m = await this.direct.getMessage(bucket.stream, { seq: seqs[i]! });
        } catch (err) {
          if (notFound(err)) throw this.missing(claim);
          throw err;
        }
        const expected = Math.min(chunkSize, info.size - i * chunkSize);
        if (m.subject !== subject) throw this.missing(claim);
        if (m.data.length !== expected)
          throw new ContentCorruptError(`chunk ${i} of claim "${claim}" has ${m.data.length} bytes, not ${expected}`);
        out.set(m.data, i * chunkSize);
      });
    } else {
      // Not written by Sluice: the client's ordered-consumer stream, each chunk copied in as it arrives.
      const r = await bucket.os.get(claim);
      if (r === null) throw this.missing(claim);
      const reader = r.data.getReader();
      let at = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (at + value.length > out.length)
          throw new ContentCorruptError(`content claim "${claim}" is longer than its size ${info.size}`);
        out.set(value, at);
        at += value.length;
      }
      const err = await r.error;
      if (err) throw err;
      if (at !== out.length)
        throw new ContentCorruptError(`content claim "${claim}" has ${at} bytes, not ${info.size}`);
    }
    const digest = `SHA-256=${b64url(createHash('sha256').update(out).digest('base64'))}`;
    if (digest.replace(/=+$/, '') !== info.digest.replace(/=+$/, ''))
      throw new ContentCorruptError(`content claim "${claim}" does not match its digest`);
    return out;
  }

  /**
   * Deletes one object as the client's own delete does, in the same order: a tombstone replaces its
   * description (rollup), then its chunk subject is purged; each step retried until done (all are
   * idempotent). A tombstone found (a retry, a claim released twice) has its chunks purged again, in case a
   * crash came between the two steps. `nuid`: the chunk subject of a put that failed (it may have no
   * description).
   *
   * Nothing is deleted by sequence, though it would be cheaper: a client `list()`/`watch()` of the bucket (a
   * DeliverLastPerSubject consumer, which waits for an entry with nothing pending after it) that runs while
   * descriptions are deleted outright never ends on nats-server 2.9 (the server keeps counting them as
   * pending; jetstream-queue.test.ts polls `list()` while a claim is released and timed out every time), and
   * deleting the chunks by sequence made such hangs far likelier than purging them. Even the client's own
   * order can hang a concurrent `list()` now and then (the server delivers a rolled-up entry again and its
   * pending count never reaches 0); it could before this rewrite too, and Sluice itself never lists a bucket.
   */
  private async remove(stream: string, claim: string, nuid?: string, retryForMs?: number): Promise<void> {
    const options = this.retryOptions(`delete content claim ${claim}`, retryForMs);
    const found = await withRetry(() => this.lookup(stream, claim), options);
    const purgeChunks = (chunks: string) =>
      withRetry(() => this.link.jsm.streams.purge(stream, { filter: this.chunkSubject(chunks) }), options);
    if (!found) {
      if (nuid !== undefined) await purgeChunks(nuid);
      return;
    }
    if (!found.info.deleted) {
      const tombstone: ObjectDescription = {
        ...found.info,
        size: 0,
        chunks: 0,
        digest: '',
        deleted: true,
        mtime: new Date().toISOString(),
        metadata: undefined,
      };
      const h = headers();
      h.set('Nats-Rollup', 'sub');
      await withRetry(
        () => this.link.js.publish(this.metaSubject(claim), Buffer.from(JSON.stringify(tombstone)), { headers: h }),
        options,
      );
    }
    await purgeChunks(found.info.nuid);
  }

  /** Tracks a background deletion until it is done (`settle` waits for it); a failure is logged. */
  private background(work: Promise<unknown>, claims: readonly string[]): void {
    const done: Promise<void> = work
      .then(
        () => {},
        (err) =>
          this.logger?.warn({ claims: claims.slice(0, 5), err: (err as Error).message }, 'content claim not deleted'),
      )
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  /** Deletes claims in the background; a failure is logged (the object is orphaned, nothing is lost). */
  release(claims: readonly string[]): void {
    if (claims.length === 0) return;
    this.background(
      this.store().then(({ stream }) => Promise.all(claims.map((c) => this.remove(stream, c)))),
      claims,
    );
  }

  /** Resolves once the deletions started so far are done (before the connection closes). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
