/**
 * The audit log (who changed what, refusals and logins included, in <data>/audit.log and GET /api/audit), the
 * login rate limit, the shared token as admin beside users, and the users CLI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { readUsersFile, usersFileOf } from '../../server/api/users';
import { pipeFlow, startTestServer, type TestServer } from './api-helpers';
import { login, PASSWORD, writeUsers } from './roles-fixture';

const ROOT = path.resolve(import.meta.dirname, '../..');

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function serverWithUsers(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-audit-'));
  await writeUsers(dataDir, [
    { name: 'vera', role: 'viewer' },
    { name: 'olga', role: 'operator' },
    { name: 'adam', role: 'admin' },
  ]);
  return startTestServer({ ...options, dataDir });
}

describe('audit log', () => {
  test("an operator's change is recorded with the user name; refusals and logins too", async () => {
    t = await serverWithUsers();
    const admin = (await login(t.url, 'adam')).cookie;
    const operator = (await login(t.url, 'olga')).cookie;
    const viewer = (await login(t.url, 'vera')).cookie;
    await login(t.url, 'olga', 'wrong password');
    const post = (url: string, cookie: string, body?: unknown) =>
      fetch(`${t!.url}${url}`, {
        method: 'POST',
        headers: { cookie, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await post('/api/flows', admin, pipeFlow('p'))).status).toBe(201);
    expect((await post('/api/flows/p/start', operator)).status).toBe(200);
    expect((await post('/api/flows/p/stop', viewer)).status).toBe(403);
    expect((await fetch(`${t.url}/api/flows/p`, { headers: { cookie: viewer } })).status).toBe(200); // a read: not audited

    const audit = await fetch(`${t.url}/api/audit?limit=50`, { headers: { cookie: admin } });
    expect(audit.status).toBe(200);
    const entries = (await audit.json()) as Record<string, unknown>[];
    const shape = entries.map(({ username, role, action, path, flowId, status }) => ({
      username,
      role,
      action,
      path,
      ...(flowId !== undefined && { flowId }),
      status,
    }));
    expect(shape).toEqual([
      { username: 'vera', role: 'viewer', action: 'POST', path: '/api/flows/p/stop', flowId: 'p', status: 403 },
      { username: 'olga', role: 'operator', action: 'POST', path: '/api/flows/p/start', flowId: 'p', status: 200 },
      { username: 'adam', role: 'admin', action: 'POST', path: '/api/flows', flowId: 'p', status: 201 },
      { username: 'olga', role: 'operator', action: 'login', path: '/api/login', status: 401 },
      { username: 'vera', role: 'viewer', action: 'login', path: '/api/login', status: 200 },
      { username: 'olga', role: 'operator', action: 'login', path: '/api/login', status: 200 },
      { username: 'adam', role: 'admin', action: 'login', path: '/api/login', status: 200 },
    ]);
    expect(Date.parse(entries[0]!.time as string)).toBeGreaterThan(Date.now() - 60_000);

    // The same lines, oldest first, in the data directory.
    const lines = (await readFile(path.join(t.dataDir, 'audit.log'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).path)).toEqual([...shape].reverse().map((e) => e.path));
    expect(
      (
        await fetch(`${t.url}/api/audit?limit=1`, { headers: { cookie: admin } }).then(
          (r) => r.json() as Promise<unknown[]>,
        )
      ).length,
    ).toBe(1);
    expect((await fetch(`${t.url}/api/audit`, { headers: { cookie: operator } })).status).toBe(403);
  });
});

describe('logging in', () => {
  test('five wrong passwords for a user from one address lock that pair out (429), not other users', async () => {
    t = await serverWithUsers();
    for (let i = 0; i < 5; i++) expect((await login(t.url, 'olga', `guess ${i}`)).res.status).toBe(401);
    const locked = await login(t.url, 'olga');
    expect(locked.res.status).toBe(429);
    expect(Number(locked.res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await locked.res.json()) as { error: string }).error).toMatch(/too many failed logins/);
    expect(locked.cookie).toBe('');
    expect((await login(t.url, 'vera')).res.status).toBe(200);
    // An unknown name is counted the same way (no hint that it does not exist).
    for (let i = 0; i < 5; i++) expect((await login(t.url, 'nobody', 'x')).res.status).toBe(401);
    expect((await login(t.url, 'nobody', 'x')).res.status).toBe(429);
  });

  test('a user unknown and a wrong password answer alike, after a bcrypt comparison each', async () => {
    t = await serverWithUsers();
    const time = async (name: string) => {
      const start = performance.now();
      const { res } = await login(t!.url, name, 'not the password');
      return { ms: performance.now() - start, status: res.status, body: await res.json() };
    };
    await time('warm-up'); // the decoy hash is made once
    const unknown = await time('mallory');
    const known = await time('adam');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(known.body);
    // Both paths pay for bcrypt (cost 11: tens of ms at least); no shortcut for a name that does not exist.
    expect(unknown.ms).toBeGreaterThan(known.ms / 3);
  });

  test('no users, no token: open as before, everyone is admin; login is refused', async () => {
    t = await startTestServer();
    const me = await fetch(`${t.url}/api/me`).then((r) => r.json());
    expect(me).toEqual({ username: null, role: 'admin', via: 'open' });
    expect((await fetch(`${t.url}/api/login`).then((r) => r.json() as Promise<{ required: boolean }>)).required).toBe(
      false,
    );
    expect((await login(t.url, 'adam')).res.status).toBe(400);
  });

  test('the shared token stays admin beside users', async () => {
    t = await serverWithUsers({ token: 'sekrit' });
    const auth = { authorization: 'Bearer sekrit' };
    expect(await fetch(`${t.url}/api/me`, { headers: auth }).then((r) => r.json())).toEqual({
      username: '(server token)',
      role: 'admin',
      via: 'server-token',
    });
    expect(await fetch(`${t.url}/api/login`).then((r) => r.json())).toEqual({
      required: true,
      password: true,
      token: true,
    });
    const created = await fetch(`${t.url}/api/flows`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(pipeFlow('x')),
    });
    expect(created.status).toBe(201);
  });
});

describe('sluice users', () => {
  const cli = (args: string[], input?: string) =>
    spawnSync(process.execPath, [path.join(ROOT, 'bin', 'sluice.mjs'), 'users', ...args], {
      cwd: ROOT,
      input,
      encoding: 'utf8',
    });

  test('add, list, token, remove; a running server takes the change without a restart', async () => {
    t = await startTestServer();
    const data = ['--data', t.dataDir];
    expect((await fetch(`${t.url}/api/flows`)).status).toBe(200); // no users yet: open
    const added = cli(['add', 'olga', '--role', 'operator', '--password-stdin', ...data], `${PASSWORD}\n`);
    expect(added.stderr).toBe('');
    expect(added.stdout).toMatch(/added user "olga" \(operator\)/);
    expect(cli(['add', 'olga', '--role', 'admin', '--password-stdin', ...data], `${PASSWORD}\n`).stderr).toMatch(
      /exists; add --update/,
    );
    expect(cli(['add', 'weak', '--role', 'viewer', '--password-stdin', ...data], 'short\n').stderr).toMatch(
      /at least 8/,
    );
    const token = cli(['token', 'olga', '--label', 'ci', ...data]).stdout.trim();
    expect(token).toMatch(/^sluice_[\w-]{43}$/);
    const file = await readUsersFile(usersFileOf(t.dataDir));
    expect(file.users[0]!.passwordHash).toMatch(/^\$2[aby]\$11\$/);
    expect(JSON.stringify(file)).not.toContain(token);
    expect(cli(['list', ...data]).stdout).toMatch(/^olga\toperator\t[0-9a-f]{12}:ci\n$/);

    // Within a second the server asks for credentials, and knows the token.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await fetch(`${t.url}/api/flows`)).status).toBe(401);
    const me = await fetch(`${t.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toEqual({ username: 'olga', role: 'operator', via: 'api-token' });

    expect(cli(['remove', 'olga', ...data]).stdout).toMatch(/removed user "olga"/);
    await new Promise((r) => setTimeout(r, 1100));
    // Emptied: still closed until a restart (a server that had users never silently opens).
    expect((await fetch(`${t.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect((await fetch(`${t.url}/api/flows`)).status).toBe(401);
  }, 120_000); // six CLI processes, one after another
});
