/**
 * Roles and the per-route guard. Every route carries `allow(role)` as its first handler: the one place a route
 * says who may call it. `listRoutes` reads the guards back from the router stack, so createApp refuses to start
 * with a route that has none, and the role tests and docs/security.md walk the same table.
 */
import type { NextFunction, Request, Response, Router } from 'express';
import type { AuditLog } from './audit';
import { sendError } from './http-errors';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export const isRole = (value: unknown): value is Role => ROLES.includes(value as Role);

/** True when `held` includes every right of `needed` (admin ⊃ operator ⊃ viewer). */
export const hasRole = (held: Role, needed: Role): boolean => RANK[held] >= RANK[needed];

/** Who is calling: a user (session or API token), the server's shared token, or anyone (no authentication). */
export interface Principal {
  /** null when the server asks for no credentials. */
  username: string | null;
  role: Role;
  via: 'open' | 'session' | 'api-token' | 'server-token';
}

/** What `authenticate` found out about a request, read by the guards. */
export interface RequestAccess {
  principal?: Principal;
  /** Why credentials that were sent are refused ("invalid token"). */
  rejected?: string;
  audit?: AuditLog;
}

const access = new WeakMap<Request, RequestAccess>();

export function setAccess(req: Request, value: RequestAccess): void {
  access.set(req, value);
}

export function accessOf(req: Request): RequestAccess | undefined {
  return access.get(req);
}

/** `public`: no credentials (login, /healthz, the UI's files). */
export type RouteRole = Role | 'public';

/** Generic in the route parameters, so a route's handler still gets them typed from its path. */
export interface RoleGuard {
  <P>(req: Request<P>, res: Response, next: NextFunction): void;
  role: RouteRole;
  /** Audited: the request changes state (default: any method but GET and HEAD). */
  changes?: boolean;
}

/**
 * The guard a route starts with: 401 without credentials, 403 naming the role needed when the caller's role is
 * lower. A state-changing request is audited with its outcome, refusals (403) included.
 */
export function allow(role: RouteRole, options: { changes?: boolean } = {}): RoleGuard {
  const guard = ((req: Request, res: Response, next: NextFunction) => {
    if (role === 'public') return next();
    const found = accessOf(req);
    const principal = found?.principal;
    if (!principal) return sendUnauthorized(res, found);
    const changes = options.changes ?? (req.method !== 'GET' && req.method !== 'HEAD');
    if (changes && found?.audit) {
      const audit = found.audit;
      res.once('finish', () => audit.recordRequest(req, principal, res.statusCode));
    }
    if (!hasRole(principal.role, role)) {
      const who = principal.username === null ? 'you have' : `"${principal.username}" has`;
      sendError(res, 403, `${req.method} ${req.baseUrl}${req.path} needs the ${role} role; ${who} ${principal.role}`);
      return;
    }
    next();
  }) as RoleGuard;
  guard.role = role;
  guard.changes = options.changes;
  return guard;
}

/** 401 with the reason: no credentials, or the ones sent were refused. */
export function sendUnauthorized(res: Response, found: RequestAccess | undefined): void {
  res.set('WWW-Authenticate', 'Bearer realm="sluice"');
  sendError(res, 401, found?.rejected ?? 'authentication required: log in, or send "Authorization: Bearer <token>"');
}

export interface RouteEntry {
  method: string;
  path: string;
  /** undefined: the route has no guard (createApp refuses to start). */
  role?: RouteRole;
}

interface StackLayer {
  handle: { stack?: StackLayer[] } & Partial<RoleGuard>;
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean>; stack: StackLayer[] };
}

/** Every route of a router (or app: pass `app.router`) and its nested routers, with the role its guard names. */
export function listRoutes(router: Pick<Router, 'stack'>, prefix = ''): RouteEntry[] {
  const out: RouteEntry[] = [];
  for (const layer of router.stack as unknown as StackLayer[]) {
    if (layer.route) {
      const first = layer.route.stack[0]?.handle;
      const role = typeof first?.role === 'string' ? first.role : undefined;
      for (const method of Object.keys(layer.route.methods))
        out.push({ method: method === '_all' ? 'ALL' : method.toUpperCase(), path: prefix + layer.route.path, role });
    } else if (Array.isArray(layer.handle.stack)) {
      const mount = layer.rawPath && layer.rawPath !== '/' ? layer.rawPath : '';
      out.push(...listRoutes(layer.handle as Pick<Router, 'stack'>, prefix + mount));
    }
  }
  return out;
}

/** Throws naming each route without a guard: a route nobody assigned a role must not be served. */
export function assertEveryRouteGuarded(router: Pick<Router, 'stack'>): RouteEntry[] {
  const routes = listRoutes(router);
  const missing = routes.filter((r) => r.role === undefined);
  if (missing.length > 0)
    throw new Error(
      `route(s) without a role guard: ${missing.map((r) => `${r.method} ${r.path}`).join(', ')}; start each with allow(role) from server/api/roles.ts`,
    );
  return routes;
}
