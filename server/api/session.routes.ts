/**
 * Logging in and out, and who am I. Mounted before the credentials gate: logging in needs no credentials, and
 * the login body is parsed here with its own small limit.
 */
import express, { type Request, Router } from 'express';
import type { AuditLog } from './audit';
import { cookieOf, credentialsRequired } from './auth';
import { HttpError } from './http-errors';
import { accessOf, allow } from './roles';
import { type LoginLimiter, SESSION_COOKIE, type SessionStore } from './sessions';
import type { UserStore } from './users';

export interface SessionRouteOptions {
  token?: string;
  users?: UserStore;
  sessions: SessionStore;
  limiter: LoginLimiter;
  audit?: AuditLog;
}

export function sessionRoutes(options: SessionRouteOptions): Router {
  const { users, sessions, limiter, audit } = options;
  const router = Router();
  const cookie = (req: Request) => ({
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: req.secure,
    path: '/',
  });

  /** What the login page offers: a password form (users exist) and/or a token field (a shared token is set). */
  router.get('/login', allow('public'), (_req, res) => {
    res.json({
      required: credentialsRequired(options),
      password: (users?.count ?? 0) > 0,
      token: Boolean(options.token),
    });
  });

  router.post('/login', allow('public'), express.json({ limit: '16kb' }), async (req, res) => {
    const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
    if (typeof username !== 'string' || typeof password !== 'string' || username === '' || username.length > 256)
      throw new HttpError(400, 'send {"username": "...", "password": "..."}', [
        { path: typeof username === 'string' ? '/password' : '/username', message: 'must be a non-empty string' },
      ]);
    if (!users || users.count === 0)
      throw new HttpError(400, 'this server has no users: add one with "sluice users add <name> --role admin"');
    const address = req.ip ?? '';
    const record = (status: number) =>
      audit?.append({
        time: new Date().toISOString(),
        username: username.slice(0, 64),
        role: users.find(username)?.role ?? null,
        action: 'login',
        method: req.method,
        path: `${req.baseUrl}${req.path}`,
        status,
        ip: address,
      });
    const wait = limiter.retryAfter(username, address);
    if (wait > 0) {
      void record(429);
      res.set('Retry-After', String(wait));
      throw new HttpError(429, `too many failed logins for "${username}"; try again in ${wait} s`);
    }
    const user = await users.verify(username, password);
    if (!user) {
      limiter.fail(username, address);
      void record(401);
      throw new HttpError(401, 'wrong user name or password');
    }
    limiter.succeed(username, address);
    const session = sessions.create(user.name);
    res.cookie(SESSION_COOKIE, session.id, { ...cookie(req), expires: new Date(session.expires) });
    void record(200);
    res.json({ username: user.name, role: user.role });
  });

  /** Ends the session of the cookie (if any); always 204, so a stale page can log out too. */
  router.post('/logout', allow('public'), (req, res) => {
    const sid = cookieOf(req, SESSION_COOKIE);
    const principal = accessOf(req)?.principal;
    if (sid !== undefined) sessions.remove(sid);
    if (principal?.via === 'session') void audit?.recordRequest(req, principal, 204, 'logout');
    res.clearCookie(SESSION_COOKIE, cookie(req));
    res.status(204).end();
  });

  router.get('/me', allow('viewer'), (req, res) => {
    const principal = accessOf(req)?.principal;
    res.json({ username: principal?.username ?? null, role: principal?.role, via: principal?.via });
  });

  return router;
}
