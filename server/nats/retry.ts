/**
 * The one retry loop of Sluice's JetStream code: a NATS call is retried with a growing pause while the server
 * is unreachable or slow, until it succeeds, the server refuses it (an API error: a limit, a bad subject,
 * a wrong expected sequence; retrying cannot help), the connection is closed, or the time budget runs out.
 * Callers make their call safe to repeat (a message id the stream deduplicates, an idempotent request).
 */
import type { ProcessorLogger } from '../engine/contract';
import { sleep } from './nats-link';

export interface RetryOptions {
  /** What is being done, for the log line and the final error ("publish to sluice.flow.f.c"). */
  what: string;
  /** Give up after this long, ms; Infinity retries until the connection closes. Default 60 s. */
  retryForMs?: number;
  /** Pause before attempt n+1: min(maxPauseMs, basePauseMs × n). Defaults 100 ms and 2 s. */
  basePauseMs?: number;
  maxPauseMs?: number;
  /** True when retrying is pointless (besides a server refusal). */
  isFinal?: (err: unknown) => boolean;
  /** True once the NATS connection is closed for good. */
  closed?: () => boolean;
  logger?: ProcessorLogger;
  /** Log the 1st failure and then every n-th (default 20); 0 never logs. */
  logEvery?: number;
  signal?: AbortSignal;
}

/** The error the server gave (JetStream API error), if any. */
export function apiError(err: unknown): { code?: number; err_code?: number; description?: string } | undefined {
  return (err as { api_error?: { code?: number; err_code?: number; description?: string } })?.api_error;
}

/** A refusal by the server: retrying the same call cannot succeed. */
export function isRefusal(err: unknown): boolean {
  return apiError(err) !== undefined;
}

export class RetryExhaustedError extends Error {
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

/** The pause before attempt n+1 of a loop that retries by itself (a pull loop): grows, then stays at `max`. */
export function backoffMs(n: number, base = 100, max = 2000): number {
  return Math.min(max, base * n);
}

/** Runs `attempt` until it resolves; rethrows refusals as they are and wraps the last transient failure. */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const deadline = Date.now() + (options.retryForMs ?? 60_000);
  const base = options.basePauseMs ?? 100;
  const max = options.maxPauseMs ?? 2000;
  const logEvery = options.logEvery ?? 20;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (isRefusal(err) || options.isFinal?.(err)) throw err;
      const message = (err as Error)?.message ?? String(err);
      if (options.closed?.() || options.signal?.aborted || Date.now() > deadline)
        throw new RetryExhaustedError(`${options.what} failed: ${message}`, err);
      if (logEvery > 0 && (n === 1 || n % logEvery === 0))
        options.logger?.warn({ err: message, attempt: n }, `${options.what} failed; retrying`);
      await sleep(backoffMs(n, base, max), options.signal);
    }
  }
}
