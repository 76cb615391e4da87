import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Database, RootDatabase } from 'lmdb';
import type { FlowFile } from '../../engine/flowfile';
import type { SyncPolicy } from './sync-policy';

/** A container's bookkeeping: how many queued FlowFiles refer to it, and since when none has. */
interface ContainerMeta {
  refs: number;
  bytes: number;
  /** Content above the file threshold lives in its own file under `<dir>/content`. */
  file: boolean;
  /** When refs fell to 0: the container then lives in the archive until age or size evicts it. */
  archivedAt: number | null;
}

export interface ContentRepositoryOptions {
  /** Where large content files live. */
  dir: string;
  sync: SyncPolicy;
  /** Content at least this large gets its own file instead of a database container. Default 1 MiB. */
  fileThreshold?: number;
  /** How long unreferenced content stays for provenance (view, replay). Default 12 h (NiFi's). */
  archiveMaxAgeMs?: number;
  /** At most this much unreferenced content is kept; the oldest goes first. Default 1 GiB. */
  archiveMaxBytes?: number;
}

/** New content of one commit, before it is staged: small pieces share one container, big ones a file each. */
export interface PreparedContent {
  container: number | undefined;
  pieces: Buffer[];
  files: { container: number; content: Buffer }[];
}

const NO_PREPARED: PreparedContent = { container: undefined, pieces: [], files: [] };

/**
 * The content repository: FlowFile content lives in immutable claims, `<container>.<offset>.<length>`. A
 * commit's new small contents are packed into one container (a database value, written in the commit's own
 * transaction), large ones go to files synced before the commit. Containers are reference-counted by the
 * queue records that point at them; at zero they move to the archive, which provenance reads (content view,
 * replay) until age or size removes them. A FlowFile's claim is found through its content buffer, which
 * every version of the FlowFile shares until the content changes.
 */
export class ContentRepository {
  private readonly claims = new WeakMap<Buffer, string>();
  private readonly data: Database<Buffer, number>;
  private readonly meta: Database<ContainerMeta, number>;
  private readonly archive: Database<number, [number, number]>;
  private readonly fileThreshold: number;
  private readonly archiveMaxAgeMs: number;
  private readonly archiveMaxBytes: number;
  private nextContainer: number;
  private archivedBytes = 0;
  private lastRead: { container: number; buffer: Buffer } | undefined;

  constructor(
    private readonly root: RootDatabase,
    private readonly options: ContentRepositoryOptions,
  ) {
    this.data = root.openDB<Buffer, number>('content', { encoding: 'binary' });
    this.meta = root.openDB<ContainerMeta, number>('content-meta', {});
    this.archive = root.openDB<number, [number, number]>('content-archive', {});
    this.fileThreshold = options.fileThreshold ?? 1024 * 1024;
    this.archiveMaxAgeMs = options.archiveMaxAgeMs ?? 12 * 60 * 60 * 1000;
    this.archiveMaxBytes = options.archiveMaxBytes ?? 1024 * 1024 * 1024;
    let last = 0;
    for (const key of this.meta.getKeys({ reverse: true, limit: 1 })) last = key;
    this.nextContainer = last + 1;
    for (const { value } of this.archive.getRange({})) this.archivedBytes += value;
    this.removeOrphanFiles();
  }

  private fileOf(container: number): string {
    return path.join(this.options.dir, `${container}.bin`);
  }

  /** Files a crash left between writing them and committing their container. */
  private removeOrphanFiles(): void {
    let names: string[];
    try {
      names = readdirSync(this.options.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const container = Number(name.replace(/\.bin$/, ''));
      if (Number.isInteger(container) && this.meta.get(container) === undefined)
        rmSync(path.join(this.options.dir, name), { force: true });
    }
  }

  claimOf(content: Buffer): string | undefined {
    return this.claims.get(content);
  }

  /**
   * Gives each FlowFile's content a claim if it has none (and is not empty): small ones into one new
   * container, large ones into files written (and synced, by policy) now. Runs before the transaction.
   */
  prepare(ffs: readonly FlowFile[]): PreparedContent {
    let prepared: PreparedContent | undefined;
    let offset = 0;
    for (const ff of ffs) {
      const content = ff.content;
      if (content.length === 0 || this.claims.has(content)) continue;
      prepared ??= { container: undefined, pieces: [], files: [] };
      if (content.length >= this.fileThreshold) {
        const container = this.nextContainer++;
        this.writeFile(container, content);
        prepared.files.push({ container, content });
        this.claims.set(content, `${container}.0.${content.length}`);
        continue;
      }
      prepared.container ??= this.nextContainer++;
      prepared.pieces.push(content);
      this.claims.set(content, `${prepared.container}.${offset}.${content.length}`);
      offset += content.length;
    }
    return prepared ?? NO_PREPARED;
  }

  private writeFile(container: number, content: Buffer): void {
    const fd = openSync(this.fileOf(container), 'w', 0o644);
    try {
      let written = 0;
      while (written < content.length) written += writeSync(fd, content, written);
      if (this.options.sync === 'always') fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Inside the commit's transaction: writes the new container, then applies the reference changes (+1 per
   * queue record written, -1 per record removed), archiving what no record refers to any more.
   */
  stage(prepared: PreparedContent, added: readonly FlowFile[], removed: readonly FlowFile[], now: number): void {
    const deltas = new Map<number, number>();
    if (prepared.container !== undefined) {
      const buffer = prepared.pieces.length === 1 ? prepared.pieces[0]! : Buffer.concat(prepared.pieces);
      this.data.put(prepared.container, buffer);
      this.meta.put(prepared.container, { refs: 0, bytes: buffer.length, file: false, archivedAt: null });
    }
    for (const f of prepared.files)
      this.meta.put(f.container, { refs: 0, bytes: f.content.length, file: true, archivedAt: null });
    this.count(deltas, added, 1);
    this.count(deltas, removed, -1);
    for (const [container, delta] of deltas) {
      if (delta === 0) continue;
      const m = this.meta.get(container);
      if (!m) continue;
      const refs = Math.max(0, m.refs + delta);
      let archivedAt = m.archivedAt;
      if (refs === 0 && archivedAt === null) {
        archivedAt = now;
        this.archive.put([now, container], m.bytes);
        this.archivedBytes += m.bytes;
      } else if (refs > 0 && archivedAt !== null) {
        this.archive.remove([archivedAt, container]);
        this.archivedBytes -= m.bytes;
        archivedAt = null;
      }
      this.meta.put(container, { ...m, refs, archivedAt });
    }
  }

  /** The commit failed: its new claims never existed. */
  abort(prepared: PreparedContent): void {
    for (const piece of prepared.pieces) this.claims.delete(piece);
    for (const f of prepared.files) {
      this.claims.delete(f.content);
      rmSync(this.fileOf(f.container), { force: true });
    }
  }

  private count(deltas: Map<number, number>, ffs: readonly FlowFile[], step: number): void {
    let lastContent: Buffer | undefined;
    let lastContainer = 0;
    for (const ff of ffs) {
      const content = ff.content;
      if (content === lastContent) {
        deltas.set(lastContainer, (deltas.get(lastContainer) ?? 0) + step);
        continue;
      }
      const claim = this.claims.get(content);
      if (claim === undefined) continue;
      const container = Number(claim.slice(0, claim.indexOf('.')));
      deltas.set(container, (deltas.get(container) ?? 0) + step);
      lastContent = content;
      lastContainer = container;
    }
  }

  /** The content of a claim, or undefined when the archive no longer has it. */
  read(claim: string): Buffer | undefined {
    const [container, offset, length] = claim.split('.').map(Number) as [number, number, number];
    const m = this.meta.get(container);
    if (!m) return undefined;
    let content: Buffer;
    if (m.file) content = readFileSync(this.fileOf(container));
    else {
      let buffer = this.lastRead?.container === container ? this.lastRead.buffer : undefined;
      if (!buffer) {
        buffer = this.data.getBinary(container);
        if (!buffer) return undefined;
        this.lastRead = { container, buffer };
      }
      content = buffer.subarray(offset, offset + length);
    }
    this.claims.set(content, claim);
    return content;
  }

  /** True while the claim's content is still in the repository (referenced or archived). */
  has(claim: string): boolean {
    return this.meta.get(Number(claim.slice(0, claim.indexOf('.')))) !== undefined;
  }

  /** Removes archived containers past the archive's age or size, oldest first, a chunk at a time. */
  async cleanup(now = Date.now(), chunk = 1000): Promise<number> {
    const doomed: { key: [number, number]; bytes: number; file: boolean }[] = [];
    let bytes = this.archivedBytes;
    for (const { key, value } of this.archive.getRange({ limit: chunk })) {
      if (key[0] > now - this.archiveMaxAgeMs && bytes <= this.archiveMaxBytes) break;
      doomed.push({ key, bytes: value, file: this.meta.get(key[1])?.file === true });
      bytes -= value;
    }
    if (doomed.length === 0) return 0;
    const removed: typeof doomed = [];
    await this.root.transaction(() => {
      for (const d of doomed) {
        // A replay may have referenced it again since the range was read.
        if (this.meta.get(d.key[1])?.archivedAt !== d.key[0]) continue;
        this.archive.remove(d.key);
        this.meta.remove(d.key[1]);
        this.data.remove(d.key[1]);
        removed.push(d);
      }
    });
    for (const d of removed) {
      this.archivedBytes -= d.bytes;
      if (d.file) rmSync(this.fileOf(d.key[1]), { force: true });
      if (this.lastRead?.container === d.key[1]) this.lastRead = undefined;
    }
    return removed.length;
  }

  /** Bytes held by unreferenced (archived) content. */
  get archiveBytes(): number {
    return this.archivedBytes;
  }
}
