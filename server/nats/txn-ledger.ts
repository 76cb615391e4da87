/**
 * The decision of every session that wrote to NATS: committed or aborted, one key per session in a KV
 * bucket (`sluice-txn`), written at most once (create-if-absent), so exactly one outcome wins.
 *
 * A session publishes its outputs and provenance under its transaction id (header `Sluice-Txn`), then
 * creates its key with "c": only then do consumers pass its FlowFiles on. A consumer that meets a message of
 * an undecided session holds it until the decision arrives (every process watches the bucket); when a session
 * stays undecided for `decideAfterMs` (its process died mid-commit), the consumer creates the key with "a"
 * itself, and the session's late commit, if it comes, finds "a" and rolls back. So a rollback, a crash or a
 * failed publish between a session's first and last message leaves nothing visible downstream.
 *
 * Keys live `ttlMs` (default 24 h). A message older than that whose decision is gone counts as committed
 * (nothing is lost; only an aborted session's message left unread that long could come back, as a duplicate).
 */
import { randomBytes } from 'node:crypto';
import { type KV, type KvEntry, KvWatchInclude, type QueuedIterator, StorageType } from 'nats';
import type { ProcessorLogger } from '../engine/contract';
import type { NatsLink } from './nats-link';
import { apiError, withRetry } from './retry';

export const TXN_BUCKET = 'sluice-txn';
export const TXN_HEADER = 'Sluice-Txn';

export type TxnDecision = 'c' | 'a';

export interface TxnLedgerOptions {
  /** Copies of the bucket on a JetStream cluster. */
  replicas?: number;
  /** How long decisions are kept, ms. Default 24 h. */
  ttlMs?: number;
  /** A session still undecided this long after its message was stored is aborted by the reader, ms. */
  decideAfterMs?: number;
  /** How long commit and abort retry while NATS is unreachable, ms. Default 60 s. */
  retryForMs?: number;
  logger?: ProcessorLogger;
}

export class TxnAbortedError extends Error {}

/** Decisions kept in memory at most (the newest). */
const CACHE_LIMIT = 200_000;
/** A waiter re-reads the bucket this often (the watch may have missed a decision made before it started). */
const POLL_MS = 1000;
const WRONG_LAST_SEQUENCE = 10071;
/** Clock difference between this process and the server that we tolerate, ms. */
const WATCH_MARGIN_MS = 5000;

interface Waiter {
  resolve: (d: TxnDecision) => void;
  reject: (err: unknown) => void;
}

export class TxnLedger {
  private readonly decisions = new Map<string, TxnDecision>();
  private readonly waiters = new Map<string, Waiter[]>();
  private watcher: QueuedIterator<KvEntry> | undefined;
  private closed = false;
  readonly ttlMs: number;
  readonly decideAfterMs: number;
  private readonly retryForMs: number;
  private readonly openedAt = Date.now();
  /** 96 random bits per ledger (process): ids never repeat across processes or restarts. */
  private readonly prefix = `${randomBytes(12).toString('base64url')}-`;
  private counter = 0;
  /** Sessions committed and aborted by this process, and aborted for others (their process died). */
  readonly stats = { committed: 0, aborted: 0, abortedForOthers: 0 };

  private constructor(
    private readonly link: NatsLink,
    private readonly kv: KV,
    private readonly options: TxnLedgerOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    this.decideAfterMs = options.decideAfterMs ?? 60_000;
    this.retryForMs = options.retryForMs ?? 60_000;
  }

  static async open(link: NatsLink, options: TxnLedgerOptions = {}): Promise<TxnLedger> {
    const kv = await link.js.views.kv(TXN_BUCKET, {
      history: 1,
      ttl: options.ttlMs ?? 24 * 60 * 60 * 1000,
      replicas: options.replicas ?? 1,
      storage: StorageType.File,
      description: 'Sluice session decisions (c = committed, a = aborted)',
    });
    const ledger = new TxnLedger(link, kv, options);
    await ledger.watch();
    return ledger;
  }

  private async watch(): Promise<void> {
    this.watcher = await this.kv.watch({ key: '>', include: KvWatchInclude.UpdatesOnly });
    void (async () => {
      try {
        for await (const e of this.watcher!) if (e.operation === 'PUT') this.learn(e.key, e.string() as TxnDecision);
      } catch (err) {
        if (!this.closed) this.options.logger?.warn({ err: (err as Error).message }, 'session decision watch ended');
      }
    })();
  }

  /** A fresh transaction id: this process's random prefix and a counter (a valid KV key, unique everywhere). */
  newTxn(): string {
    return `${this.prefix}${(this.counter++).toString(36)}`;
  }

  private learn(txn: string, decision: TxnDecision): void {
    if (decision !== 'c' && decision !== 'a') return;
    if (!this.decisions.has(txn)) {
      this.decisions.set(txn, decision);
      if (this.decisions.size > CACHE_LIMIT) {
        const oldest = this.decisions.keys().next().value;
        if (oldest !== undefined) this.decisions.delete(oldest);
      }
    }
    const waiting = this.waiters.get(txn);
    if (waiting) {
      this.waiters.delete(txn);
      for (const w of waiting) w.resolve(this.decisions.get(txn)!);
    }
  }

  /** The decision if this process knows it. */
  decision(txn: string): TxnDecision | undefined {
    return this.decisions.get(txn);
  }

  /**
   * Writes `decision` unless the key exists; resolves to the decision that stands (ours, or the other one).
   * A retry after a lost reply finds our own value and resolves with it.
   */
  private async decide(txn: string, decision: TxnDecision): Promise<TxnDecision> {
    const known = this.decisions.get(txn);
    if (known) return known;
    const standing = await withRetry(
      async () => {
        try {
          await this.kv.create(txn, decision);
          return decision;
        } catch (err) {
          const api = apiError(err);
          const exists = api?.err_code === WRONG_LAST_SEQUENCE || /wrong last sequence|key exists/i.test(String(err));
          if (!exists) throw err;
          const entry = await this.kv.get(txn);
          const value = entry?.string();
          if (value !== 'c' && value !== 'a') throw new Error(`session ${txn} has an unreadable decision`);
          return value;
        }
      },
      {
        what: `recording session ${txn} as ${decision === 'c' ? 'committed' : 'aborted'}`,
        retryForMs: this.retryForMs,
        closed: () => this.link.nc.isClosed(),
        logger: this.options.logger,
      },
    );
    this.learn(txn, standing);
    return standing;
  }

  /** Makes a session's outputs visible; throws TxnAbortedError when a reader aborted it first. */
  async commit(txn: string): Promise<void> {
    let standing: TxnDecision;
    try {
      standing = await this.decide(txn, 'c');
    } catch (err) {
      // The outcome is unknown: settle it as aborted if we can, so the rollback that follows is true.
      if ((await this.decide(txn, 'a').catch(() => undefined)) === 'c') {
        this.stats.committed++;
        return;
      }
      throw err;
    }
    if (standing === 'a') {
      this.stats.aborted++;
      throw new TxnAbortedError(`session ${txn} was aborted (it took longer than ${this.decideAfterMs} ms to commit)`);
    }
    this.stats.committed++;
  }

  /** Aborts a session whose publishing failed, so readers drop what it published at once. */
  async abort(txn: string): Promise<TxnDecision | undefined> {
    const standing = await this.decide(txn, 'a').catch((err) => {
      this.options.logger?.warn({ txn, err: (err as Error).message }, 'could not record a session as aborted');
      return undefined;
    });
    if (standing === 'a') this.stats.aborted++;
    return standing;
  }

  /**
   * The decision of a session whose message was stored at `storedAt` (ms): waits for it, aborts the session
   * when it stays undecided past `decideAfterMs`, and counts a message older than the decisions kept as
   * committed.
   */
  async resolve(txn: string, storedAt: number): Promise<TxnDecision> {
    // Stored well after the watch began: its decision, made later still, comes through the watch.
    let watchOnly = storedAt > this.openedAt + WATCH_MARGIN_MS;
    for (;;) {
      const known = this.decisions.get(txn);
      if (known) return known;
      if (this.closed) throw new Error('the session ledger is closed');
      if (!watchOnly) {
        const entry = await withRetry(() => this.kv.get(txn), {
          what: `reading the decision of session ${txn}`,
          retryForMs: Number.POSITIVE_INFINITY,
          closed: () => this.closed || this.link.nc.isClosed(),
          logger: this.options.logger,
        });
        const value = entry?.operation === 'PUT' ? entry.string() : undefined;
        if (value === 'c' || value === 'a') {
          this.learn(txn, value);
          return value;
        }
      }
      const age = Date.now() - storedAt;
      if (age >= this.ttlMs) {
        this.learn(txn, 'c');
        return 'c';
      }
      if (age >= this.decideAfterMs) {
        const standing = await this.decide(txn, 'a');
        if (standing === 'a') {
          this.stats.abortedForOthers++;
          this.options.logger?.warn(
            { txn, ageMs: age },
            'a session stayed undecided (its process stopped mid-commit): its outputs are dropped',
          );
        }
        return standing;
      }
      const wait = Math.max(1, Math.min(watchOnly ? WATCH_MARGIN_MS : POLL_MS, this.decideAfterMs - age));
      watchOnly = false;
      if (this.decisions.has(txn)) continue;
      const decided = await new Promise<TxnDecision | undefined>((resolve, reject) => {
        const timer = setTimeout(() => {
          const list = this.waiters.get(txn);
          if (list) {
            const i = list.indexOf(w);
            if (i >= 0) list.splice(i, 1);
            if (list.length === 0) this.waiters.delete(txn);
          }
          resolve(undefined);
        }, wait);
        timer.unref();
        const w: Waiter = {
          resolve: (d) => {
            clearTimeout(timer);
            resolve(d);
          },
          reject,
        };
        const list = this.waiters.get(txn);
        if (list) list.push(w);
        else this.waiters.set(txn, [w]);
      });
      if (decided) return decided;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.stop();
    for (const list of this.waiters.values()) for (const w of list) w.reject(new Error('the session ledger is closed'));
    this.waiters.clear();
  }
}
