/**
 * A local copy of a KV bucket (or the keys under a prefix), kept current by a watch and, as a safety net, by a
 * full read every `resyncMs`: a watch can stall while the cluster moves a stream leader, and entries that age
 * out of a bucket with a TTL produce no watch event at all.
 */
import type { KV, KvEntry } from 'nats';
import type { ProcessorLogger } from '../engine/contract';
import { sleep } from '../nats/nats-link';

export interface MirrorEntry {
  key: string;
  value: Uint8Array;
  revision: number;
  /** When the NATS server stored it (ms since the epoch). */
  created: number;
}

export interface KvMirrorOptions {
  /** Called with a key whose value changed, appeared or disappeared. */
  onChange?: (key: string) => void;
  resyncMs?: number;
  logger?: ProcessorLogger;
  /** What the logs call this mirror. */
  what: string;
}

export class KvMirror {
  readonly entries = new Map<string, MirrorEntry>();
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private watcher: { stop(): void } | undefined;
  private watching: Promise<void> = Promise.resolve();
  private resyncing: Promise<void> | undefined;

  constructor(
    private readonly kv: KV,
    private readonly options: KvMirrorOptions,
  ) {}

  /** Resolves after the first full read. */
  async start(): Promise<void> {
    await this.resync();
    this.watching = this.watchLoop();
    this.timer = setInterval(() => void this.resync().catch(() => {}), this.options.resyncMs ?? 5000);
    this.timer.unref();
  }

  get(key: string): MirrorEntry | undefined {
    return this.entries.get(key);
  }

  private apply(key: string, entry: MirrorEntry | undefined): void {
    const old = this.entries.get(key);
    if (!entry) {
      if (old && this.entries.delete(key)) this.options.onChange?.(key);
      return;
    }
    if (old && old.revision >= entry.revision) return;
    this.entries.set(key, entry);
    this.options.onChange?.(key);
  }

  private fromKv(e: KvEntry): MirrorEntry | undefined {
    if (e.operation !== 'PUT') return undefined;
    return { key: e.key, value: e.value, revision: e.revision, created: e.created.getTime() };
  }

  private async watchLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const iter = await this.kv.watch();
        this.watcher = iter;
        if (this.stopped) iter.stop();
        for await (const e of iter) {
          failures = 0;
          const entry = this.fromKv(e);
          if (entry) this.apply(e.key, entry);
          else if ((this.entries.get(e.key)?.revision ?? 0) < e.revision) this.apply(e.key, undefined);
        }
      } catch (err) {
        failures++;
        if (failures === 1)
          this.options.logger?.warn(
            { what: this.options.what, err: (err as Error).message },
            'KV watch failed; retrying',
          );
      }
      if (!this.stopped) await sleep(Math.min(2000, 250 * (failures + 1)));
    }
  }

  /** Reads every key now and applies what changed (also keys that are gone). */
  resync(): Promise<void> {
    this.resyncing ??= this.readAll().finally(() => {
      this.resyncing = undefined;
    });
    return this.resyncing;
  }

  private async readAll(): Promise<void> {
    const keys: string[] = [];
    for await (const k of await this.kv.keys()) keys.push(k);
    const present = new Set(keys);
    const read = async (key: string) => {
      const e = await this.kv.get(key);
      this.apply(key, e ? this.fromKv(e) : undefined);
    };
    await Promise.all(keys.map(read));
    // A key missing from the listing may have been written since: confirm before forgetting it.
    await Promise.all([...this.entries.keys()].filter((k) => !present.has(k)).map(read));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.watcher?.stop();
    await this.watching;
    await this.resyncing?.catch(() => {});
  }
}
