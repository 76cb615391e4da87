/**
 * Primary election through a KV lease. The leases bucket has a TTL: a lease not renewed within it ages out of
 * the bucket. A candidate takes the lease with `create` (succeeds only while no lease exists); the holder
 * renews it every `renewMs` with `update` at the revision it last wrote (fails if anyone else wrote since). So
 * when the primary dies, its lease is gone within the TTL and the next candidate's attempt wins.
 *
 * A holder that cannot renew (NATS unreachable) steps down once its last renewal is `ttl - renewMs` old,
 * before anyone else can have taken the lease; a holder that finds another revision steps down at once. A
 * process stalled longer than the TTL can overlap the new primary by one renew interval at most.
 */
import type { KV } from 'nats';
import type { ProcessorLogger } from '../engine/contract';
import { encodeJson, PRIMARY_KEY, parseJson } from './cluster-buckets';

export interface LeaseHolder {
  name: string;
  /** Distinguishes two runs of a worker with the same name. */
  instance: string;
}

export interface PrimaryLeaseOptions {
  ttlMs: number;
  /** How often the holder renews and a candidate tries; default a fifth of the TTL. */
  renewMs?: number;
  logger?: ProcessorLogger;
  onChange?: (primary: boolean) => void;
}

export class PrimaryLease {
  private revision = 0;
  private lastRenewal = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  private holding = false;
  /** The holder seen last (this process or another), if any. */
  current: LeaseHolder | undefined;
  readonly renewMs: number;

  constructor(
    private readonly kv: KV,
    readonly me: LeaseHolder,
    private readonly options: PrimaryLeaseOptions,
  ) {
    this.renewMs = options.renewMs ?? Math.max(100, Math.floor(options.ttlMs / 5));
  }

  get isPrimary(): boolean {
    return this.holding;
  }

  /** Tries once now, then every renewMs. */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.renewMs);
  }

  private tick(): Promise<void> {
    this.ticking ??= (this.holding ? this.renew() : this.acquire()).finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private async acquire(): Promise<void> {
    if (this.stopped) return;
    try {
      const started = Date.now();
      this.revision = await this.kv.create(PRIMARY_KEY, encodeJson(this.me));
      this.lastRenewal = started;
      this.current = this.me;
      this.set(true);
    } catch {
      // Someone holds it (or NATS is unreachable): note who, for the workers list.
      const e = await this.kv.get(PRIMARY_KEY).catch(() => null);
      const holder = e?.operation === 'PUT' ? (parseJson(e.value) as LeaseHolder | undefined) : undefined;
      this.current = holder;
      // Our own create went through but its reply was lost: the lease is ours.
      if (e && holder?.instance === this.me.instance && !this.stopped) {
        this.revision = e.revision;
        this.lastRenewal = e.created.getTime();
        this.set(true);
      }
    }
  }

  private async renew(): Promise<void> {
    const started = Date.now();
    try {
      this.revision = await this.kv.update(PRIMARY_KEY, encodeJson(this.me), this.revision);
      this.lastRenewal = started;
    } catch (err) {
      const message = (err as Error).message ?? '';
      if (/wrong last sequence/i.test(message)) {
        this.options.logger?.warn({ worker: this.me.name }, 'primary lease taken by another worker; stepping down');
        this.set(false);
      } else if (Date.now() - this.lastRenewal > this.options.ttlMs - this.renewMs) {
        this.options.logger?.warn({ worker: this.me.name, err: message }, 'primary lease not renewed; stepping down');
        this.set(false);
      }
    }
  }

  private set(primary: boolean): void {
    if (this.holding === primary) return;
    this.holding = primary;
    if (primary) this.options.logger?.info({ worker: this.me.name }, 'this worker is now the primary');
    this.options.onChange?.(primary);
  }

  /** Stops trying; a held lease is deleted so another worker takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
    if (!this.holding) return;
    const revision = this.revision;
    this.set(false);
    await this.kv.delete(PRIMARY_KEY, { previousSeq: revision }).catch(() => {});
  }
}
