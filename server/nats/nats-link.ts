/**
 * The one NATS connection of a Sluice process: connects with retries (a clear line per failed attempt, no
 * stack trace), then reconnects by itself forever, and keeps a status (connected, disconnects, reconnects)
 * that the flow status shows.
 */
import {
  connect,
  DebugEvents,
  Events,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  type StoredMsg,
} from 'nats';
import type { ProcessorLogger } from '../engine/contract';

export interface NatsLinkStatus {
  kind: 'nats';
  /** The server URL, without a password. */
  url: string;
  connected: boolean;
  /** Times the connection was lost since this process connected. */
  disconnects: number;
  reconnects: number;
  lastDisconnectAt?: number;
  lastReconnectAt?: number;
  lastError?: string;
}

export interface ConnectOptions {
  logger?: ProcessorLogger;
  /** Client name shown by the server (`nats server report connections`). */
  name?: string;
  /** Called with a one-line message after each failed first attempt (the CLI prints it on stderr). */
  onRetry?: (message: string) => void;
  /** Wait between first attempts, ms. */
  retryMs?: number;
  /** Stop retrying (reject) when aborted. */
  signal?: AbortSignal;
}

export class NatsUnavailableError extends Error {}

/**
 * `nats://user:secret@host:4222` → `nats://user:***@host:4222`, `nats://token@host` → `nats://***@host`
 * (each of a comma-separated list): credentials never reach a log line or an error.
 */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/,]+)@/g, (_, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon < 0 ? '//***@' : `//${userinfo.slice(0, colon)}:***@`;
  });
}

/** A URL, or several separated by commas (the servers of a cluster). */
export function serverList(url: string): string[] {
  return url
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function reason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'CONNECTION_REFUSED') return 'connection refused';
  if (e?.code === 'TIMEOUT') return 'timed out';
  const text = e?.message ?? String(err);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export class NatsLink {
  private readonly state: NatsLinkStatus;
  private closing = false;

  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    url: string,
    private readonly logger: ProcessorLogger | undefined,
  ) {
    this.state = { kind: 'nats', url, connected: true, disconnects: 0, reconnects: 0 };
    void this.watch();
  }

  /** Connects, retrying every `retryMs` until it succeeds or `signal` aborts. */
  static async open(url: string, options: ConnectOptions = {}): Promise<NatsLink> {
    const shown = redactUrl(url);
    const retryMs = options.retryMs ?? 2000;
    for (let attempt = 1; ; attempt++) {
      if (options.signal?.aborted) throw new NatsUnavailableError(`gave up connecting to NATS at ${shown}`);
      let nc: NatsConnection | undefined;
      try {
        nc = await connect({
          servers: serverList(url),
          name: options.name ?? `sluice-${process.pid}`,
          noAsyncTraces: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 500,
          reconnectJitter: 200,
          timeout: 5000,
          pingInterval: 10_000,
          maxPingOut: 3,
        });
      } catch (err) {
        const message = `cannot reach NATS at ${shown} (${reason(err)}); retrying in ${Math.round(retryMs / 100) / 10}s (attempt ${attempt})`;
        if (options.onRetry) options.onRetry(message);
        else options.logger?.warn({ url: shown, attempt }, message);
        await sleep(retryMs, options.signal);
        continue;
      }
      try {
        const jsm = await nc.jetstreamManager();
        return new NatsLink(nc, nc.jetstream({ timeout: 5000 }), jsm, shown, options.logger);
      } catch (err) {
        await nc.close().catch(() => {});
        throw new NatsUnavailableError(
          `NATS at ${shown} does not offer JetStream (${reason(err)}); start nats-server with -js (and -sd <dir>)`,
        );
      }
    }
  }

  private async watch(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === Events.Disconnect) {
        this.state.connected = false;
        this.state.disconnects++;
        this.state.lastDisconnectAt = Date.now();
        if (!this.closing) this.logger?.warn({ url: this.state.url }, 'lost the NATS connection; reconnecting');
      } else if (s.type === Events.Reconnect) {
        this.state.connected = true;
        this.state.reconnects++;
        this.state.lastReconnectAt = Date.now();
        this.logger?.info({ url: this.state.url }, 'reconnected to NATS');
      } else if (s.type === Events.Error) {
        this.state.lastError = String(s.data);
      } else if (s.type === DebugEvents.Reconnecting) {
        this.state.connected = false;
      }
    }
  }

  get connected(): boolean {
    return this.state.connected && !this.nc.isClosed();
  }

  /** Largest message the server accepts. */
  get maxPayload(): number {
    return this.nc.info?.max_payload ?? 1024 * 1024;
  }

  /**
   * Direct get on a stream with `allow_direct`: a message by sequence, or the next one on a subject from a
   * sequence, without a consumer (the client has it; its types do not declare it yet).
   */
  directGet(stream: string, query: { seq: number; next_by_subj?: string }): Promise<StoredMsg> {
    const direct = (this.jsm as unknown as { direct: { getMessage(s: string, q: object): Promise<StoredMsg> } }).direct;
    return direct.getMessage(stream, query);
  }

  status(): NatsLinkStatus {
    return { ...this.state, connected: this.connected };
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    this.closing = true;
    // Acks and naks are fire-and-forget publishes: make sure the server has them before the socket goes.
    await this.nc.flush().catch(() => {});
    await this.nc.drain().catch(() => this.nc.close());
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', done);
      clearTimeout(timer);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
