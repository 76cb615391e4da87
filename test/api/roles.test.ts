/**
 * Roles: every route the server registers has a role (read from the router stack, so a new route without an
 * entry here fails), docs/security.md lists the same table, and each route answers anonymous, viewer, operator
 * and admin callers as its role says: 401, 403, or anything else.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listRoutes, type RouteRole } from '../../server/api/roles';
import { newApiToken, usersFileOf, writeUsersFile } from '../../server/api/users';
import { workersRoutes } from '../../server/api/workers.routes';
import { pipeFlow, startTestServer, type TestServer } from './api-helpers';
import { login, writeUsers } from './roles-fixture';

/** The least role of every route: the one table this test, the guards and the docs must agree on. */
const EXPECTED: Record<string, RouteRole> = {
  'GET /healthz': 'public',
  'GET /metrics': 'viewer',
  'ALL /listen/:processorId{/*rest}': 'operator',
  'GET /api/login': 'public',
  'POST /api/login': 'public',
  'POST /api/logout': 'public',
  'GET /api/me': 'viewer',
  'GET /api/events': 'viewer',
  'GET /api/processors': 'viewer',
  'GET /api/processors/:type': 'viewer',
  'POST /api/processors/:type/relationships': 'viewer',
  'GET /api/services': 'viewer',
  'GET /api/services/:type': 'viewer',
  'GET /api/flows': 'viewer',
  'POST /api/flows': 'admin',
  'POST /api/flows/validate': 'viewer',
  'POST /api/flows/import': 'admin',
  'GET /api/flows/:id': 'viewer',
  'PUT /api/flows/:id': 'admin',
  'DELETE /api/flows/:id': 'admin',
  'GET /api/flows/:id/export': 'viewer',
  'GET /api/flows/:id/tests': 'viewer',
  'PUT /api/flows/:id/tests': 'admin',
  'POST /api/flows/:id/tests/run': 'operator',
  'POST /api/flows/:id/tests/snapshot': 'operator',
  'GET /api/flows/:id/versions': 'viewer',
  'GET /api/flows/:id/versions/:version': 'viewer',
  'GET /api/flows/:id/diff': 'viewer',
  'POST /api/flows/:id/versions/:version/revert': 'admin',
  'POST /api/flows/:id/start': 'operator',
  'POST /api/flows/:id/stop': 'operator',
  'POST /api/flows/:id/processors/:pid/start': 'operator',
  'POST /api/flows/:id/processors/:pid/stop': 'operator',
  'POST /api/flows/:id/groups/*group/start': 'operator',
  'POST /api/flows/:id/groups/*group/stop': 'operator',
  'POST /api/flows/:id/services/*service/enable': 'operator',
  'POST /api/flows/:id/services/*service/disable': 'operator',
  'GET /api/flows/:id/status': 'viewer',
  'GET /api/summary': 'viewer',
  'GET /api/bulletins': 'viewer',
  'GET /api/search': 'viewer',
  'GET /api/flows/:id/connections/:cid/queue': 'viewer',
  'GET /api/flows/:id/connections/:cid/queue/:ffid/content': 'admin',
  'DELETE /api/flows/:id/connections/:cid/queue': 'operator',
  'GET /api/flows/:id/connections/:cid/quarantine': 'viewer',
  'POST /api/flows/:id/connections/:cid/quarantine/requeue': 'operator',
  'DELETE /api/flows/:id/connections/:cid/quarantine': 'operator',
  'POST /api/flows/:id/connections/:cid/tap': 'viewer',
  'GET /api/flows/:id/connections/:cid/tap': 'viewer',
  'DELETE /api/flows/:id/connections/:cid/tap': 'viewer',
  'GET /api/flows/:id/taps/stream': 'viewer',
  'POST /api/flows/:id/connections/:cid/inject': 'operator',
  'GET /api/flows/:id/debug': 'viewer',
  'DELETE /api/flows/:id/debug': 'operator',
  'GET /api/provenance': 'viewer',
  'GET /api/provenance/lineage/:flowFileId': 'viewer',
  'GET /api/provenance/:eventId': 'viewer',
  'GET /api/provenance/:eventId/content/:side': 'admin',
  'POST /api/provenance/:eventId/replay': 'operator',
  'GET /api/audit': 'admin',
  'GET /api/workers': 'viewer',
  'GET /{*path}': 'public',
};

interface Case {
  route: string;
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Log in anew first (logging out ends the session the other cases use). */
  freshSession?: boolean;
}

const json = (route: string, p: string, body: unknown): Case => ({
  route,
  method: route.split(' ')[0]!,
  path: p,
  body,
});
const call = (route: string, p: string, extra: Partial<Case> = {}): Case => ({
  route,
  method: route.split(' ')[0] === 'ALL' ? 'POST' : route.split(' ')[0]!,
  path: p,
  ...extra,
});

/** One concrete request per route; the flow "p" exists and stays. */
const CASES: Case[] = [
  call('GET /healthz', '/healthz'),
  call('GET /metrics', '/metrics'),
  call('ALL /listen/:processorId{/*rest}', '/listen/nobody-listens', {
    body: 'x',
    headers: { 'content-type': 'text/plain' },
  }),
  call('GET /api/login', '/api/login'),
  json('POST /api/login', '/api/login', {}),
  call('POST /api/logout', '/api/logout', { freshSession: true }),
  call('GET /api/me', '/api/me'),
  call('GET /api/events', '/api/events'),
  call('GET /api/processors', '/api/processors'),
  call('GET /api/processors/:type', '/api/processors/GenerateFlowFile'),
  json('POST /api/processors/:type/relationships', '/api/processors/LogAttribute/relationships', {}),
  call('GET /api/services', '/api/services'),
  call('GET /api/services/:type', '/api/services/HttpClient'),
  call('GET /api/flows', '/api/flows'),
  json('POST /api/flows', '/api/flows', pipeFlow('created')),
  json('POST /api/flows/validate', '/api/flows/validate', pipeFlow('v')),
  json('POST /api/flows/import', '/api/flows/import?replace=true', pipeFlow('imported')),
  call('GET /api/flows/:id', '/api/flows/p'),
  json('PUT /api/flows/:id', '/api/flows/p', pipeFlow('p', { count: 0, period: '1s' })),
  call('DELETE /api/flows/:id', '/api/flows/no-such-flow'),
  call('GET /api/flows/:id/export', '/api/flows/p/export'),
  call('GET /api/flows/:id/tests', '/api/flows/p/tests'),
  json('PUT /api/flows/:id/tests', '/api/flows/p/tests', {
    cases: [{ name: 'n', capture: ['log'], expect: [{ at: 'log' }], timeout: '2s' }],
  }),
  call('POST /api/flows/:id/tests/run', '/api/flows/p/tests/run'),
  json('POST /api/flows/:id/tests/snapshot', '/api/flows/p/tests/snapshot', {
    at: 'gen-to-log',
    inject: [{ content: 'x' }],
  }),
  call('GET /api/flows/:id/versions', '/api/flows/p/versions'),
  call('GET /api/flows/:id/versions/:version', '/api/flows/p/versions/0000000'),
  call('GET /api/flows/:id/diff', '/api/flows/p/diff?from=0000000'),
  call('POST /api/flows/:id/versions/:version/revert', '/api/flows/p/versions/0000000/revert'),
  call('POST /api/flows/:id/start', '/api/flows/p/start'),
  call('POST /api/flows/:id/stop', '/api/flows/p/stop'),
  call('POST /api/flows/:id/processors/:pid/start', '/api/flows/p/processors/log/start'),
  call('POST /api/flows/:id/processors/:pid/stop', '/api/flows/p/processors/log/stop'),
  call('POST /api/flows/:id/groups/*group/start', '/api/flows/p/groups/nope/start'),
  call('POST /api/flows/:id/groups/*group/stop', '/api/flows/p/groups/nope/stop'),
  call('POST /api/flows/:id/services/*service/enable', '/api/flows/p/services/nope/enable'),
  call('POST /api/flows/:id/services/*service/disable', '/api/flows/p/services/nope/disable'),
  call('GET /api/flows/:id/status', '/api/flows/p/status'),
  call('GET /api/summary', '/api/summary'),
  call('GET /api/bulletins', '/api/bulletins?limit=5'),
  call('GET /api/search', '/api/search?q=gen'),
  call('GET /api/flows/:id/connections/:cid/queue', '/api/flows/p/connections/gen-to-log/queue'),
  call(
    'GET /api/flows/:id/connections/:cid/queue/:ffid/content',
    '/api/flows/p/connections/gen-to-log/queue/nope/content',
  ),
  call('DELETE /api/flows/:id/connections/:cid/queue', '/api/flows/p/connections/gen-to-log/queue'),
  call('GET /api/flows/:id/connections/:cid/quarantine', '/api/flows/p/connections/gen-to-log/quarantine'),
  call(
    'POST /api/flows/:id/connections/:cid/quarantine/requeue',
    '/api/flows/p/connections/gen-to-log/quarantine/requeue',
  ),
  call('DELETE /api/flows/:id/connections/:cid/quarantine', '/api/flows/p/connections/gen-to-log/quarantine'),
  call('GET /api/provenance', '/api/provenance?limit=5'),
  call('GET /api/provenance/lineage/:flowFileId', '/api/provenance/lineage/nope'),
  call('GET /api/provenance/:eventId', '/api/provenance/1'),
  call('POST /api/flows/:id/connections/:cid/tap', '/api/flows/p/connections/gen-to-log/tap'),
  call('GET /api/flows/:id/connections/:cid/tap', '/api/flows/p/connections/gen-to-log/tap'),
  call('DELETE /api/flows/:id/connections/:cid/tap', '/api/flows/p/connections/gen-to-log/tap'),
  call('GET /api/flows/:id/taps/stream', '/api/flows/p/taps/stream?connections=gen-to-log'),
  json('POST /api/flows/:id/connections/:cid/inject', '/api/flows/p/connections/gen-to-log/inject', { content: 'x' }),
  call('GET /api/flows/:id/debug', '/api/flows/p/debug'),
  call('DELETE /api/flows/:id/debug', '/api/flows/p/debug'),
  call('GET /api/provenance/:eventId/content/:side', '/api/provenance/999999/content/input'),
  json('POST /api/provenance/:eventId/replay', '/api/provenance/999999/replay', {}),
  call('GET /api/audit', '/api/audit?limit=5'),
  call('GET /api/workers', '/api/workers'),
  call('GET /{*path}', '/', { headers: { accept: 'text/html' } }),
];

type Who = 'anonymous' | 'viewer' | 'operator' | 'admin';
const RANK = { anonymous: -1, viewer: 0, operator: 1, admin: 2 } as const;

let t: TestServer;
let operatorToken: string;
const cookies: Partial<Record<Who, string>> = {};

async function sessionCookie(username: string): Promise<string> {
  const { res } = await login(t.url, username);
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie()[0]!;
  expect(cookie).toMatch(/^sluice_session=[\w-]{43};/);
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Strict/);
  return cookie.split(';')[0]!;
}

async function credentials(who: Who, fresh = false): Promise<Record<string, string>> {
  if (who === 'anonymous') return {};
  if (who === 'operator') return { authorization: `Bearer ${operatorToken}` }; // an API token, not a session
  if (fresh) return { cookie: await sessionCookie(who === 'viewer' ? 'vera' : 'adam') };
  return { cookie: cookies[who]! };
}

async function send(c: Case, auth: Record<string, string>): Promise<number> {
  const body = c.body === undefined ? undefined : typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
  const headers = { ...(c.body !== undefined && { 'content-type': 'application/json' }), ...c.headers, ...auth };
  const abort = new AbortController();
  const res = await fetch(`${t.url}${c.path}`, { method: c.method, headers, body, signal: abort.signal });
  if (res.headers.get('content-type')?.startsWith('text/event-stream')) abort.abort();
  else await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-roles-'));
  const data = await writeUsers(dataDir, [
    { name: 'vera', role: 'viewer' },
    { name: 'olga', role: 'operator' },
    { name: 'adam', role: 'admin' },
  ]);
  const token = newApiToken('ci');
  data.users[1]!.tokens.push(token.record);
  operatorToken = token.token;
  await writeUsersFile(usersFileOf(dataDir), data);
  t = await startTestServer({ dataDir, apiRoutes: [workersRoutes(() => [])] });
  cookies.viewer = await sessionCookie('vera');
  cookies.admin = await sessionCookie('adam');
  const created = await send(json('POST /api/flows', '/api/flows', pipeFlow('p')), { cookie: cookies.admin });
  expect(created).toBe(201);
});

afterAll(async () => {
  await t?.close();
});

describe('the route table', () => {
  test('every registered route has a role, and it is the expected one', () => {
    const registered = Object.fromEntries(
      listRoutes(t.server.app.router).map((r) => [`${r.method} ${r.path}`, r.role]),
    );
    expect(registered).toEqual(EXPECTED);
  });

  test('every route has a request in this test', () => {
    expect(CASES.map((c) => c.route).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  test('docs/security.md lists every route with its role', async () => {
    const docs = await readFile(path.resolve(import.meta.dirname, '../../docs/security.md'), 'utf8');
    const documented: Record<string, string> = {};
    for (const m of docs.matchAll(/^\| `(GET|POST|PUT|DELETE|ALL) ([^`]+)` \| (public|viewer|operator|admin) \|/gm))
      documented[`${m[1]} ${m[2]}`] = m[3]!;
    expect(documented).toEqual(EXPECTED);
  });
});

describe.each(['anonymous', 'viewer', 'operator', 'admin'] as const)('as %s', (who) => {
  test.each(CASES.map((c) => [c.route, c] as const))('%s', async (_route, c) => {
    const needed = EXPECTED[c.route]!;
    const status = await send(c, await credentials(who, c.freshSession));
    if (needed === 'public') expect([401, 403]).not.toContain(status);
    else if (who === 'anonymous') expect(status).toBe(401);
    else if (RANK[who] < RANK[needed]) expect(status).toBe(403);
    else expect([401, 403]).not.toContain(status);
    if (needed !== 'public' && who !== 'anonymous' && RANK[who] >= RANK[needed]) expect(status).toBeLessThan(500);
  });
});

describe('refusals', () => {
  test('403 is JSON naming the role needed and the caller', async () => {
    const res = await fetch(`${t.url}/api/flows/p/start`, { method: 'POST', headers: { cookie: cookies.viewer! } });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: 'POST /api/flows/p/start needs the operator role; "vera" has viewer',
      details: [],
    });
  });

  test('/api/me names the caller; an unknown session cookie is anonymous', async () => {
    const me = await fetch(`${t.url}/api/me`, { headers: { cookie: cookies.viewer! } });
    expect(await me.json()).toEqual({ username: 'vera', role: 'viewer', via: 'session' });
    const stale = await fetch(`${t.url}/api/me`, { headers: { cookie: 'sluice_session=forged' } });
    expect(stale.status).toBe(401);
    const wrong = await fetch(`${t.url}/api/me`, { headers: { authorization: 'Bearer sluice_nope' } });
    expect(((await wrong.json()) as { error: string }).error).toBe('invalid token');
  });

  test('the event stream takes the session cookie; ?token= only a token', async () => {
    const viaCookie = await send(call('GET /api/events', '/api/events'), { cookie: cookies.viewer! });
    expect(viaCookie).toBe(200);
    const viaQuery = await send(call('GET /api/events', `/api/events?token=${operatorToken}`), {});
    expect(viaQuery).toBe(200);
    expect(await send(call('GET /api/flows', `/api/flows?token=${operatorToken}`), {})).toBe(401);
  });

  test('logging out ends the session', async () => {
    const cookie = await sessionCookie('vera');
    const out = await fetch(`${t.url}/api/logout`, { method: 'POST', headers: { cookie } });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()[0]).toMatch(/^sluice_session=;/);
    expect((await fetch(`${t.url}/api/me`, { headers: { cookie } })).status).toBe(401);
  });
});
