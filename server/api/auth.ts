/**
 * Who is calling. `authenticate` runs on every request and only identifies the caller: the shared `--token`
 * (admin), a user's API token (`Authorization: Bearer sluice_...`), or a login session cookie. What the caller
 * may do is each route's guard (roles.ts). Without a token and without users every caller is an anonymous admin,
 * as before roles existed (the server then binds loopback only).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { AuditLog } from './audit';
import { accessOf, type Principal, sendUnauthorized, setAccess } from './roles';
import { SESSION_COOKIE, type SessionStore } from './sessions';
import type { UserStore } from './users';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The principal of a server without credentials. */
const OPEN: Principal = { username: null, role: 'admin', via: 'open' };
/** How the shared `--token` appears in the audit log (not a valid user name, so no user can be mistaken for it). */
export const SERVER_TOKEN_USER = '(server token)';

export interface AuthOptions {
  /** The shared token: its bearer is admin. */
  token?: string;
  users?: UserStore;
  sessions: SessionStore;
  audit?: AuditLog;
}

/** True when a caller must present credentials: a token is set, or users exist (or existed since start). */
export function credentialsRequired(options: Pick<AuthOptions, 'token' | 'users'>): boolean {
  return Boolean(options.token) || (options.users?.required ?? false);
}

/** One cookie of the request (no cookie-parser: one name is all we read). */
export function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** Identifies the caller and records it for the guards; never answers by itself. */
export function authenticate(options: AuthOptions): RequestHandler {
  const expected = options.token ? digest(options.token) : undefined;
  const { users, sessions, audit } = options;
  const byToken = (given: string): Principal | undefined => {
    if (expected && timingSafeEqual(digest(given), expected))
      return { username: SERVER_TOKEN_USER, role: 'admin', via: 'server-token' };
    const user = users?.byToken(given);
    return user && { username: user.name, role: user.role, via: 'api-token' };
  };
  return async (req, _res, next) => {
    await users?.refresh();
    if (!credentialsRequired(options)) {
      setAccess(req, { principal: OPEN, audit });
      return next();
    }
    let given = req
      .get('authorization')
      ?.match(/^Bearer\s+(.+)$/i)?.[1]
      ?.trim();
    // EventSource cannot set headers: the event streams take a token in the query (a cookie needs no help).
    if (given === undefined && isEventStream(req) && typeof req.query.token === 'string') given = req.query.token;
    if (given !== undefined) {
      const principal = byToken(given);
      setAccess(req, principal ? { principal, audit } : { rejected: 'invalid token', audit });
      return next();
    }
    const sid = cookieOf(req, SESSION_COOKIE);
    const username = sid === undefined ? undefined : sessions.get(sid);
    const user = username === undefined ? undefined : users?.find(username);
    setAccess(req, { principal: user && { username: user.name, role: user.role, via: 'session' }, audit });
    next();
  };
}

function isEventStream(req: Request): boolean {
  const path = req.originalUrl.split('?')[0]!;
  return req.method === 'GET' && (path === '/api/events' || /^\/api\/flows\/[^/]+\/taps\/stream$/.test(path));
}

/**
 * 401 for a caller without valid credentials, before any body is read (the guards would say the same, later).
 * Unknown /api paths answer 401 too: they do not reveal which routes exist.
 */
export function requireCredentials(): RequestHandler {
  return (req, res, next) => {
    const found = accessOf(req);
    if (found?.principal) return next();
    sendUnauthorized(res, found);
  };
}

/** Loopback interfaces: binding anything else needs a token or users (one rule for the server and its listeners). */
export { isLoopback } from '../validation/listener';
