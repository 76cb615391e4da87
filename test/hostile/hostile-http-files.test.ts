/**
 * Hostile file and body fixtures: symbolic links that lead GetFile and PutFile out of the allowed directory
 * (each case of issue 12, with real links in temporary directories), and 100 concurrent large ListenHTTP bodies.
 */

import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import GetFile from '../../processors/get-file';
import ListenHTTP from '../../processors/listen-http';
import PutFile from '../../processors/put-file';
import { configIssues, type ProcessorRunner, processorRunner } from '../../server/testing/processor-runner';
import { freePort } from '../helpers/ports';

let data: string;
let outside: string;
const runners: ProcessorRunner[] = [];

beforeEach(async () => {
  data = await realpath(await mkdtemp(path.join(tmpdir(), 'sluice-data-')));
  outside = await realpath(await mkdtemp(path.join(tmpdir(), 'sluice-outside-')));
  await writeFile(path.join(outside, 'secret.txt'), 'secret');
});

afterEach(async () => {
  for (const r of runners.splice(0)) await r.stop();
  await rm(data, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

function run(definition: any, config: object) {
  const r = processorRunner(definition, config, { allowedDirs: [data] });
  runners.push(r);
  return r;
}

describe('symbolic links out of the data directory', () => {
  test('a linked directory is refused at validation (GetFile and PutFile)', async () => {
    await symlink(outside, path.join(data, 'link'));
    for (const def of [GetFile, PutFile])
      expect(configIssues(def, { directory: path.join(data, 'link') }, [data])).toEqual([
        {
          path: '/directory',
          message: `directory "${path.join(data, 'link')}" (it resolves to "${outside}" through a symbolic link) is outside the allowed directories: ${data}`,
        },
      ]);
    // Below the link too, even where nothing exists yet.
    expect(configIssues(PutFile, { directory: path.join(data, 'link', 'new', 'dirs') }, [data])).toHaveLength(1);
  });

  test('GetFile: a directory that became a link after validation is neither read nor emptied', async () => {
    const dir = path.join(data, 'in');
    const getFile = run(GetFile, { directory: dir });
    await symlink(outside, dir); // swapped in after the flow was validated
    await expect(getFile.trigger()).rejects.toThrow(/resolves to .* outside the allowed directories/);
    expect(getFile.transferred('success')).toHaveLength(0);
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });

  test('GetFile with recurse does not enter a linked directory unless followSymlinks, and then not outside', async () => {
    const dir = path.join(data, 'in');
    await mkdir(path.join(dir, 'real'), { recursive: true });
    await writeFile(path.join(dir, 'real', 'ok.txt'), 'ok');
    await symlink(outside, path.join(dir, 'escape'));
    await mkdir(path.join(data, 'shared'));
    await writeFile(path.join(data, 'shared', 'inside.txt'), 'inside');
    await symlink(path.join(data, 'shared'), path.join(dir, 'shared'));

    const plain = run(GetFile, { directory: dir, recurse: true, keepSourceFile: true });
    await plain.trigger();
    expect(plain.transferred('success').map((f) => f.content.toString())).toEqual(['ok']);

    const follow = run(GetFile, { directory: dir, recurse: true, keepSourceFile: true, followSymlinks: true });
    await follow.trigger();
    expect(
      follow
        .transferred('success')
        .map((f) => f.content.toString())
        .sort(),
    ).toEqual(['inside', 'ok']);
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });

  test('GetFile: a file link leading outside is not read even with followSymlinks, and not deleted', async () => {
    const dir = path.join(data, 'in');
    await mkdir(dir);
    await symlink(path.join(outside, 'secret.txt'), path.join(dir, 'secret.txt'));
    const follow = run(GetFile, { directory: dir, followSymlinks: true });
    await follow.trigger();
    expect(follow.transferred('success')).toHaveLength(0);
    expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('secret');
  });

  test('PutFile: a linked subdirectory cannot lead a write outside, and no directory is created there', async () => {
    const dir = path.join(data, 'out');
    await mkdir(dir);
    await symlink(outside, path.join(dir, 'sub'));
    const putFile = run(PutFile, { directory: dir, useSubdirectory: true });
    putFile.enqueue('x', { filename: 'x.txt', path: 'sub/new/deeper' });
    await putFile.trigger();
    const [failed] = putFile.transferred('failure');
    expect(failed!.attributes['putfile.error']).toMatch(/leads outside .* through a symbolic link/);
    expect(await readdir(outside)).toEqual(['secret.txt']); // no "new" directory created outside first
  });

  test('PutFile: a directory that became a link after validation is refused before anything is created', async () => {
    const dir = path.join(data, 'out');
    const putFile = run(PutFile, { directory: path.join(dir, 'a', 'b') });
    await symlink(outside, dir);
    putFile.enqueue('x', { filename: 'x.txt' });
    await putFile.trigger();
    expect(putFile.transferred('failure')).toHaveLength(1);
    expect(putFile.transferred('success')).toHaveLength(0);
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });
});

describe('huge bodies', () => {
  test.each([
    ['with Content-Length (refused up front)', true],
    ['chunked (refused while reading)', false],
  ])(
    '100 concurrent 9 MB bodies %s: each gets 200 or 503 with Retry-After, none a reset; the 200s are FlowFiles',
    async (_name, declared) => {
      const port = await freePort();
      const listener = processorRunner(ListenHTTP, { port, maxPendingSize: '50 MB', batchSize: 1000 });
      runners.push(listener);
      await listener.start();
      const body = Buffer.alloc(9 * 1024 * 1024, 'b');
      const post = () =>
        new Promise<{ status: number; retryAfter?: string } | { error: string }>((resolve) => {
          const req = httpRequest(
            {
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: '/',
              headers: declared ? { 'content-length': body.length } : { 'transfer-encoding': 'chunked' },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
            },
          );
          req.on('error', (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
          if (declared) req.end(body);
          else {
            for (let i = 0; i < 9; i++) req.write(body.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
            req.end();
          }
        });
      // Nothing is committed until every request was either read in full or refused: the budget (50 MB) then
      // holds at most five 9 MB bodies, whatever the timing, and every other request must get a 503.
      let answered = 0;
      let done = false;
      const answers = Promise.all(
        Array.from({ length: 100 }, () =>
          post().then((r) => {
            answered++;
            return r;
          }),
        ),
      ).finally(() => {
        done = true;
      });
      while (listener.wakes + answered < 100) await new Promise((r) => setTimeout(r, 20));
      expect(listener.wakes).toBeLessThanOrEqual(5);
      while (!done) {
        await listener.trigger();
        await new Promise((r) => setTimeout(r, 20));
      }
      const results = await answers;
      expect(results.filter((r) => 'error' in r)).toEqual([]);
      const statuses = results.map((r) => ('status' in r ? r.status : 0));
      expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
      for (const r of results) if ('status' in r && r.status === 503) expect(r.retryAfter).toBe('1');
      expect(listener.transferred('success')).toHaveLength(statuses.filter((s) => s === 200).length);
      expect(listener.transferred('success').every((f) => f.size === body.length)).toBe(true);
    },
  );
});
