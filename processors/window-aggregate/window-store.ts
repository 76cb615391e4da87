/**
 * Window state in a NATS JetStream key-value bucket, so open windows survive a restart: one entry per
 * window (`<flow>.<processor>.w.<id>`) and one for the watermark (`<flow>.<processor>.meta`). The entries a
 * session changed are written before it commits (a crash in between means its inputs come again and are
 * counted twice, never lost: at-least-once), and written back as they were if it rolls back.
 */
import { connect, type KV, type NatsConnection } from 'nats';
import type { Window, WindowMeta } from './windows';

const SAFE = /[^-/_=a-zA-Z0-9]/g;

interface Encoded {
  meta?: WindowMeta;
  windows: Window[];
}

export class WindowStore {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly kv: KV,
    private readonly prefix: string,
  ) {}

  static async open(url: string, bucket: string, flowId: string, processorId: string): Promise<WindowStore> {
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: url, name: `sluice ${flowId}/${processorId} windows`, maxReconnectAttempts: -1 });
    } catch (err) {
      throw new Error(`cannot connect to NATS at ${url.replace(/\/\/[^@/]*@/, '//')}: ${(err as Error).message}`);
    }
    try {
      const kv = await nc.jetstream().views.kv(bucket, { history: 1 });
      return new WindowStore(nc, kv, `${flowId.replace(SAFE, '_')}.${processorId.replace(SAFE, '_')}`);
    } catch (err) {
      await nc.close();
      throw new Error(`cannot open the key-value bucket "${bucket}" (JetStream enabled?): ${(err as Error).message}`);
    }
  }

  async load(): Promise<Encoded> {
    const out: Encoded = { windows: [] };
    const keys: string[] = [];
    for await (const key of await this.kv.keys(`${this.prefix}.>`)) keys.push(key);
    for (const key of keys) {
      const entry = await this.kv.get(key);
      if (entry?.operation !== 'PUT') continue;
      const value = entry.json<unknown>();
      if (key === `${this.prefix}.meta`) {
        const m = value as { watermark: number | null; seq: number; nextId: number };
        out.meta = { ...m, watermark: m.watermark ?? Number.NEGATIVE_INFINITY };
      } else out.windows.push(value as Window);
    }
    return out;
  }

  /** Writes the given windows as they are now (deleting those no longer open) and the watermark. */
  async save(windows: readonly Window[], isOpen: (w: Window) => boolean, meta: WindowMeta): Promise<void> {
    const writes: Promise<unknown>[] = windows.map((w) =>
      isOpen(w) ? this.kv.put(this.windowKey(w), JSON.stringify(w)) : this.kv.purge(this.windowKey(w)),
    );
    const watermark = Number.isFinite(meta.watermark) ? meta.watermark : null;
    writes.push(this.kv.put(`${this.prefix}.meta`, JSON.stringify({ ...meta, watermark })));
    await Promise.all(writes);
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => this.nc.close());
  }

  private windowKey(w: Window): string {
    return `${this.prefix}.w.${w.id}`;
  }
}
