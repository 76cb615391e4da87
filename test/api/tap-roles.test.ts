/**
 * The debug sidebar's routes by role, on a server with users: a viewer watches a connection and sees its
 * FlowFiles' attributes but not their content (as the queue inspector); an operator injects, recorded as a
 * RECEIVE from `sluice://user/<name>`; a viewer may not inject; an API token in the query opens the stream.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newApiToken, usersFileOf, writeUsersFile } from '../../server/api/users';
import { pipeFlow, startTestServer, type TestServer } from './api-helpers';
import { login, writeUsers } from './roles-fixture';

let t: TestServer;
let viewer: string;
let admin: string;
let operatorToken: string;

beforeAll(async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-tap-roles-'));
  const data = await writeUsers(dataDir, [
    { name: 'vera', role: 'viewer' },
    { name: 'olga', role: 'operator' },
    { name: 'adam', role: 'admin' },
  ]);
  const token = newApiToken('ci');
  data.users[1]!.tokens.push(token.record);
  operatorToken = token.token;
  await writeUsersFile(usersFileOf(dataDir), data);
  t = await startTestServer({ dataDir });
  viewer = (await login(t.url, 'vera')).cookie;
  admin = (await login(t.url, 'adam')).cookie;
  const res = await fetch(`${t.url}/api/flows`, {
    method: 'POST',
    headers: { cookie: admin, 'content-type': 'application/json' },
    body: JSON.stringify(pipeFlow('p', { count: 0, period: '1h' })),
  });
  expect(res.status).toBe(201);
});

afterAll(async () => {
  await t?.close();
});

const tapUrl = () => `${t.url}/api/flows/p/connections/gen-to-log/tap`;
const inject = (auth: Record<string, string>) =>
  fetch(`${t.url}/api/flows/p/connections/gen-to-log/inject`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ content: 'classified', attributes: { k: 'v' } }),
  });

describe('tap and inject by role', () => {
  test('an operator injects as themself; a viewer may not', async () => {
    expect((await fetch(tapUrl(), { method: 'POST', headers: { cookie: viewer } })).status).toBe(200);
    expect((await inject({ cookie: viewer })).status).toBe(403);
    const res = await inject({ authorization: `Bearer ${operatorToken}` });
    expect(res.status).toBe(201);
    const { flowFileId } = (await res.json()) as { flowFileId: string };
    const events = (await (
      await fetch(`${t.url}/api/provenance?flowFileId=${flowFileId}`, { headers: { cookie: admin } })
    ).json()) as { transitUri: string; details: string }[];
    expect(events.map((e) => [e.transitUri, e.details])).toEqual([['sluice://user/olga', 'injected']]);
  });

  test('a viewer sees attributes and sizes, not content; an admin sees the content', async () => {
    type Ring = {
      contentShown: boolean;
      entries: { attributes: Record<string, string>; preview?: unknown; content?: string }[];
    };
    const seen = (await (await fetch(tapUrl(), { headers: { cookie: viewer } })).json()) as Ring;
    expect(seen.contentShown).toBe(false);
    expect(seen.entries[0]!.attributes.k).toBe('v');
    expect(seen.entries[0]!.preview).toBeUndefined();
    expect(seen.entries[0]!.content).toBeUndefined();
    const full = (await (await fetch(tapUrl(), { headers: { cookie: admin } })).json()) as Ring;
    expect(Buffer.from(full.entries[0]!.content!, 'base64').toString()).toBe('classified');
  });

  test('the stream takes an API token in the query (EventSource sends no header); without one it is 401', async () => {
    const stream = `${t.url}/api/flows/p/taps/stream?connections=gen-to-log`;
    const refused = await fetch(stream);
    expect(refused.status).toBe(401);
    await refused.arrayBuffer();
    const abort = new AbortController();
    const res = await fetch(`${stream}&token=${operatorToken}`, { signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    abort.abort();
  });
});
