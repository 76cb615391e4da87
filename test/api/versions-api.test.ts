/**
 * Flow versions through the API on a real server: each save a version with its author and message, a flow at a
 * version, the structural diff, revert through the normal save path, roles, and a sensitive value that never
 * reaches the versions repository in plain text.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { pipeFlow, startTestServer, type TestServer } from './api-helpers';
import { login, writeUsers } from './roles-fixture';

const SECRET = 'versions-secret-51c0ffee';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function serverWithUsers() {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-versions-api-'));
  await writeUsers(dataDir, [
    { name: 'ada', role: 'admin' },
    { name: 'vic', role: 'viewer' },
  ]);
  t = await startTestServer({ dataDir });
  return { ada: (await login(t.url, 'ada')).cookie, vic: (await login(t.url, 'vic')).cookie };
}

async function call(method: string, url: string, cookie: string, body?: unknown) {
  const res = await fetch(`${t!.url}${url}`, {
    method,
    headers: { cookie, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('flow versions API', () => {
  test('saves are versions with author and message; diff; revert makes a new version with the old content', async () => {
    const { ada, vic } = await serverWithUsers();
    expect((await call('POST', '/api/flows', ada, pipeFlow('p', { batchSize: 20 }))).status).toBe(201);
    const put = await call('PUT', '/api/flows/p?message=Bigger%20batches', ada, pipeFlow('p', { batchSize: 50 }));
    expect(put.status).toBe(200);

    const list = await call('GET', '/api/flows/p/versions', vic);
    expect(list.status).toBe(200);
    expect(list.body.map((v: { author: string; message: string }) => [v.author, v.message])).toEqual([
      ['ada', 'Bigger batches'],
      ['ada', 'Save Pipe p'],
    ]);
    const [newest, first] = list.body as { id: string; time: string }[];
    expect((await call('GET', '/api/flows/p/versions?limit=1', vic)).body).toEqual([newest]);

    const old = await call('GET', `/api/flows/p/versions/${first!.id}`, vic);
    expect(old.body.processors[0].config.batchSize).toBe(20);

    const diff = await call('GET', `/api/flows/p/diff?from=${first!.id}&to=current`, vic);
    expect(diff.body).toEqual({
      equal: false,
      components: [
        {
          kind: 'processor',
          id: 'gen',
          group: [],
          name: 'Generate',
          change: 'changed',
          position: { x: 0, y: 0 },
          changes: [{ path: 'config.batchSize', old: 20, new: 50 }],
        },
      ],
    });
    expect((await call('GET', `/api/flows/p/diff?from=${newest!.id}`, vic)).body).toEqual({
      equal: true,
      components: [],
    });

    expect((await call('POST', `/api/flows/p/versions/${first!.id}/revert`, vic)).status).toBe(403);
    const reverted = await call('POST', `/api/flows/p/versions/${first!.id}/revert`, ada);
    expect(reverted.status).toBe(200);
    expect((await call('GET', '/api/flows/p', vic)).body.processors[0].config.batchSize).toBe(20);
    const after = (await call('GET', '/api/flows/p/versions', vic)).body;
    expect(after[0]).toMatchObject({ author: 'ada', message: `Revert to ${first!.id.slice(0, 7)}` });
    expect(after).toHaveLength(3);
  });

  test('bad versions and parameters are 4xx naming the problem; a removed flow keeps its versions', async () => {
    const { ada } = await serverWithUsers();
    await call('POST', '/api/flows', ada, pipeFlow('p'));
    expect(await call('GET', '/api/flows/p/versions/nothex', ada)).toMatchObject({
      status: 404,
      body: { error: '"nothex" is not a version (a commit hash)' },
    });
    expect((await call('GET', '/api/flows/p/diff', ada)).body).toMatchObject({
      error: 'query parameter "from" is required: a version',
      details: [{ path: '/query/from', message: 'is required' }],
    });
    expect((await call('GET', '/api/flows/p/versions?limit=0', ada)).status).toBe(400);
    expect((await call('DELETE', '/api/flows/p', ada)).status).toBe(204);
    const versions = (await call('GET', '/api/flows/p/versions', ada)).body;
    expect(versions.map((v: { message: string }) => v.message)).toEqual(['Remove Pipe p', 'Save Pipe p']);
    // A removed flow comes back by reverting to a version of it.
    expect((await call('POST', `/api/flows/p/versions/${versions[1].id}/revert`, ada)).status).toBe(200);
    expect((await call('GET', '/api/flows/p', ada)).status).toBe(200);
  });

  test('a sensitive value is never in the versions repository in plain text; a revert keeps it working', async () => {
    const { ada } = await serverWithUsers();
    const flow = (greeting: string) => ({
      ...pipeFlow('s'),
      schemaVersion: 2,
      parameterContexts: [
        {
          id: 'prod',
          parameters: [
            { name: 'greeting', value: greeting },
            { name: 'token', sensitive: true, value: SECRET },
          ],
        },
      ],
      parameterContext: 'prod',
    });
    expect((await call('POST', '/api/flows', ada, flow('hello'))).status).toBe(201);
    expect((await call('PUT', '/api/flows/s', ada, flow('bye'))).status).toBe(200);
    const versions = (await call('GET', '/api/flows/s/versions', ada)).body;
    // Saved twice with the same secret (encrypted anew each time): the diff shows only the greeting.
    const diff = (await call('GET', `/api/flows/s/diff?from=${versions[1].id}`, ada)).body;
    expect(diff.components[0].changes).toEqual([{ path: 'parameters.greeting.value', old: 'hello', new: 'bye' }]);
    const repo = path.join(t!.dataDir, 'versions');
    const everything = execFileSync('git', ['-C', repo, 'log', '-p', '--all'], { encoding: 'utf8' });
    expect(everything).toContain('sluice:v1:');
    expect(everything).not.toContain(SECRET);
    expect(await readFile(path.join(repo, 'flows/s.json'), 'utf8')).not.toContain(SECRET);
    // grep the raw files too (git objects are compressed: the `git log -p` above reads them decompressed).
    expect(spawnSync('grep', ['-r', '-l', SECRET, repo], { encoding: 'utf8' })).toMatchObject({
      status: 1,
      stdout: '',
    });
    const shown = (await call('GET', `/api/flows/s/versions/${versions[1].id}`, ada)).body;
    expect(JSON.stringify(shown)).not.toContain('sluice:v1:');
    expect(shown.parameterContexts[0].parameters[1]).toEqual({ name: 'token', sensitive: true, set: true });

    const reverted = await call('POST', `/api/flows/s/versions/${versions[1].id}/revert`, ada);
    expect(reverted.status).toBe(200);
    expect(reverted.body.parameterContexts[0].parameters).toEqual([
      { name: 'greeting', value: 'hello' },
      { name: 'token', sensitive: true, set: true },
    ]);
  });
});
