/**
 * Login sessions (in memory: a restart logs everyone out) and the login rate limit. A session id is 32 random
 * bytes; the cookie carries it, the map holds who it is and until when.
 */
import { randomBytes } from 'node:crypto';

export const SESSION_COOKIE = 'sluice_session';
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const MAX_SESSIONS = 10_000;

interface Session {
  username: string;
  expires: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(readonly ttlMs = DEFAULT_SESSION_TTL_MS) {}

  create(username: string): { id: string; expires: number } {
    this.prune();
    // Bounded: the oldest session goes first (a Map iterates in insertion order).
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    const id = randomBytes(32).toString('base64url');
    const expires = Date.now() + this.ttlMs;
    this.sessions.set(id, { username, expires });
    return { id, expires };
  }

  /** The user of a live session. */
  get(id: string): string | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expires <= Date.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session.username;
  }

  remove(id: string): void {
    this.sessions.delete(id);
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, s] of this.sessions) if (s.expires <= now) this.sessions.delete(id);
  }
}

export interface LoginLimits {
  /** Failed attempts per user name and address within the window before 429 (default 5). */
  perUser: number;
  /** Failed attempts per address, any user name, within the window (default 20). */
  perAddress: number;
  windowMs: number;
}

const DEFAULT_LIMITS: LoginLimits = { perUser: 5, perAddress: 20, windowMs: 15 * 60 * 1000 };

/** Counts failed logins in a fixed window per `user|address` and per address; success clears the user's count. */
export class LoginLimiter {
  private readonly failures = new Map<string, { count: number; until: number }>();
  readonly limits: LoginLimits;

  constructor(limits: Partial<LoginLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Seconds to wait before trying again, or 0 when an attempt is allowed. */
  retryAfter(username: string, address: string): number {
    const now = Date.now();
    const over = (key: string, max: number) => {
      const entry = this.failures.get(key);
      if (!entry || entry.until <= now) return 0;
      return entry.count >= max ? Math.ceil((entry.until - now) / 1000) : 0;
    };
    return Math.max(
      over(`u:${username}|${address}`, this.limits.perUser),
      over(`a:${address}`, this.limits.perAddress),
    );
  }

  fail(username: string, address: string): void {
    const now = Date.now();
    if (this.failures.size > 100_000) for (const [k, e] of this.failures) if (e.until <= now) this.failures.delete(k);
    for (const key of [`u:${username}|${address}`, `a:${address}`]) {
      const entry = this.failures.get(key);
      if (entry && entry.until > now) entry.count++;
      else this.failures.set(key, { count: 1, until: now + this.limits.windowMs });
    }
  }

  succeed(username: string, address: string): void {
    this.failures.delete(`u:${username}|${address}`);
  }
}
