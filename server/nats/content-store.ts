/**
 * Large content lives in a JetStream Object Store bucket per flow; the queue message carries a claim (the
 * object's name). A claim belongs to exactly one FlowFile in one queue message: an output gets a claim of its
 * own (content is never shared between messages), and the claim is deleted when the message that holds it
 * is acknowledged, i.e. when the FlowFile has left that queue (moved on under a new claim, or left the flow).
 * So a crash, a redelivery or a duplicate never leaves a message pointing at deleted content.
 */
import { randomUUID } from 'node:crypto';
import { type ObjectStore, StorageType } from 'nats';
import type { ProcessorLogger } from '../engine/contract';
import type { FlowFile } from '../engine/flowfile';
import { contentBucket } from './names';
import type { NatsLink } from './nats-link';

export const DEFAULT_INLINE_LIMIT = 256 * 1024;
const CHUNK_SIZE = 512 * 1024;

export class ClaimMissingError extends Error {}

export class ContentStore {
  private bucket: Promise<ObjectStore> | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly link: NatsLink,
    readonly flowId: string,
    /** Content above this many bytes goes to the bucket. */
    readonly inlineLimit = DEFAULT_INLINE_LIMIT,
    private readonly logger?: ProcessorLogger,
    /** Copies of the bucket (on a JetStream cluster). */
    private readonly replicas = 1,
  ) {}

  private store(): Promise<ObjectStore> {
    this.bucket ??= this.link.js.views
      .os(contentBucket(this.flowId), {
        storage: StorageType.File,
        replicas: this.replicas,
        description: `Sluice content of flow ${this.flowId}`,
      })
      .catch((err) => {
        this.bucket = undefined;
        throw err;
      });
    return this.bucket;
  }

  needsClaim(ff: FlowFile): boolean {
    return ff.size > this.inlineLimit;
  }

  /** Stores a FlowFile's content under a new claim. */
  async put(ff: FlowFile): Promise<string> {
    const name = `${ff.id}.${randomUUID().slice(0, 8)}`;
    const os = await this.store();
    await os.putBlob({ name, options: { max_chunk_size: CHUNK_SIZE } }, ff.content);
    return name;
  }

  async get(claim: string): Promise<Buffer> {
    const os = await this.store();
    const data = await os.getBlob(claim);
    if (data === null)
      throw new ClaimMissingError(`content claim "${claim}" is missing from ${contentBucket(this.flowId)}`);
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  /** Deletes claims in the background; a failure is logged (the object is orphaned, nothing is lost). */
  release(claims: readonly string[]): void {
    if (claims.length === 0) return;
    const done = this.store()
      .then((os) => Promise.all(claims.map((c) => os.delete(c))))
      .then(
        () => {},
        (err) =>
          this.logger?.warn({ claims: claims.slice(0, 5), err: (err as Error).message }, 'content claim not deleted'),
      )
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  /** Resolves once the deletions started so far are done (before the connection closes). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
