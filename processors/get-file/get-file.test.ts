import { mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { configIssues, processorRunner } from '../../sdk/testing';
import GetFile from '.';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-getfile-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('GetFile', () => {
  test('one FlowFile per matching file with file attributes; the source is deleted after the commit', async () => {
    await writeFile(path.join(dir, 'a.csv'), 'x,y\n');
    await writeFile(path.join(dir, 'b.txt'), 'no');
    await writeFile(path.join(dir, '.hidden.csv'), 'h');
    await writeFile(path.join(dir, 'empty.csv'), '');
    const run = processorRunner(GetFile, { directory: dir, filter: '*.csv' });
    await run.trigger();
    const ffs = run.transferred('success');
    expect(ffs.map((f) => f.attributes.filename)).toEqual(['a.csv', 'empty.csv']);
    expect(ffs[0]!.content.toString()).toBe('x,y\n');
    expect(ffs[0]!.attributes).toMatchObject({
      path: './',
      'absolute.path': `${dir}/`,
      'file.size': '4',
      'file.lastModifiedTime': expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(ffs[1]!.size).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['.hidden.csv', 'b.txt']);
    expect(run.provenance().filter((e) => e.type === 'RECEIVE')[0]!.transitUri).toBe(`file://${dir}/a.csv`);
  });

  test('recurse reads subdirectories with a relative path attribute; binary content is byte-exact', async () => {
    await mkdir(path.join(dir, 'sub', 'deeper'), { recursive: true });
    const bytes = Buffer.from([0x00, 0xff, 0x80]);
    await writeFile(path.join(dir, 'sub', 'deeper', 'bin.dat'), bytes);
    const flat = processorRunner(GetFile, { directory: dir });
    await flat.trigger();
    expect(flat.transferred('success')).toHaveLength(0);
    const run = processorRunner(GetFile, { directory: dir, recurse: true });
    await run.trigger();
    const [ff] = run.transferred('success');
    expect(ff!.attributes.path).toBe('sub/deeper/');
    expect(ff!.content.equals(bytes)).toBe(true);
  });

  test('keepSourceFile reads a file once, and again only after it changes', async () => {
    const file = path.join(dir, 'keep.txt');
    await writeFile(file, 'v1');
    const earlier = new Date(Date.now() - 60_000);
    await utimes(file, earlier, earlier);
    const run = processorRunner(GetFile, { directory: dir, keepSourceFile: true });
    await run.trigger();
    const second = await run.trigger();
    expect(second.yielded).toBe(true);
    expect(run.transferred('success')).toHaveLength(1);
    await writeFile(file, 'v2');
    await run.trigger();
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual(['v1', 'v2']);
    expect(await readdir(dir)).toEqual(['keep.txt']);
  });

  test('keepSourceFile marks persist with the commit: a restart neither reads a kept file again nor skips one', async () => {
    const earlier = new Date(Date.now() - 60_000);
    for (const name of ['a.txt', 'b.txt']) {
      await writeFile(path.join(dir, name), name);
      await utimes(path.join(dir, name), earlier, earlier);
    }
    const first = processorRunner(GetFile, { directory: dir, keepSourceFile: true, batchSize: 1 });
    await first.trigger();
    expect(first.transferred('success').map((f) => f.attributes.filename)).toEqual(['a.txt']);
    expect(Object.keys(first.savedState ?? {})).toEqual(['a.txt']);

    // "Restart": a new runner from the committed state; b.txt was listed but never taken, a.txt was read.
    const second = processorRunner(GetFile, { directory: dir, keepSourceFile: true }, { state: first.savedState });
    await second.trigger();
    expect(second.transferred('success').map((f) => f.attributes.filename)).toEqual(['b.txt']);
    expect((await second.trigger()).yielded).toBe(true);

    await writeFile(path.join(dir, 'a.txt'), 'changed');
    const third = processorRunner(GetFile, { directory: dir, keepSourceFile: true }, { state: second.savedState });
    await third.trigger();
    expect(third.transferred('success').map((f) => f.content.toString())).toEqual(['changed']);
    // A deleted file's mark is dropped with the next commit.
    await rm(path.join(dir, 'b.txt'));
    await writeFile(path.join(dir, 'a.txt'), 'again');
    await third.trigger();
    expect(Object.keys(third.savedState ?? {})).toEqual(['a.txt']);
  });

  test('a file dated in the future is read (minAge 0s)', async () => {
    const file = path.join(dir, 'future.txt');
    await writeFile(file, 'f');
    const later = new Date(Date.now() + 3_600_000);
    await utimes(file, later, later);
    const run = processorRunner(GetFile, { directory: dir });
    await run.trigger();
    expect(run.transferred('success')).toHaveLength(1);
  });

  test('minAge skips files still being written; batchSize limits files per session', async () => {
    for (const n of ['1', '2', '3']) await writeFile(path.join(dir, `${n}.txt`), n);
    const fresh = processorRunner(GetFile, { directory: dir, minAge: '1h', keepSourceFile: true });
    await fresh.trigger();
    expect(fresh.transferred('success')).toHaveLength(0);
    const batched = processorRunner(GetFile, { directory: dir, batchSize: 2 });
    await batched.trigger();
    expect(batched.transferred('success')).toHaveLength(2);
  });

  test('symbolic links are not followed unless asked', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'sluice-outside-'));
    await writeFile(path.join(outside, 'secret.txt'), 'secret');
    await symlink(path.join(outside, 'secret.txt'), path.join(dir, 'link.txt'));
    const run = processorRunner(GetFile, { directory: dir, keepSourceFile: true });
    await run.trigger();
    expect(run.transferred('success')).toHaveLength(0);
    const follow = processorRunner(GetFile, { directory: dir, keepSourceFile: true, followSymlinks: true });
    await follow.trigger();
    expect(follow.transferred('success')[0]!.content.toString()).toBe('secret');
    await rm(outside, { recursive: true, force: true });
  });

  test('a missing directory yields; a directory outside allowedDirs is a config error', async () => {
    const run = processorRunner(GetFile, { directory: path.join(dir, 'nope') });
    expect((await run.trigger()).yielded).toBe(true);
    expect(configIssues(GetFile, { directory: '/etc' }, [dir])).toEqual([
      { path: '/directory', message: expect.stringMatching(/outside the allowed directories/) },
    ]);
    expect(configIssues(GetFile, { directory: path.join(dir, 'in') }, [dir])).toEqual([]);
  });
});
