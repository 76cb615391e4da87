import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { configIssues, processorRunner } from '../../sdk/testing';
import PutFile from '.';

let root: string;
let out: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sluice-putfile-'));
  out = path.join(root, 'out');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('PutFile', () => {
  test('writes content under the filename, creating the directory, and records SEND', async () => {
    const run = processorRunner(PutFile, { directory: out });
    const bytes = Buffer.from([0x00, 0xff, 0x0a]);
    run.enqueue(bytes, { filename: 'a.bin' });
    run.enqueue('', { filename: 'empty.txt' });
    await run.trigger();
    expect((await readFile(path.join(out, 'a.bin'))).equals(bytes)).toBe(true);
    expect((await readFile(path.join(out, 'empty.txt'))).length).toBe(0);
    expect(run.transferred('success')[0]!.attributes['absolute.path']).toBe(out);
    expect(run.provenance().filter((e) => e.type === 'SEND')[0]!.transitUri).toBe(`file://${out}/a.bin`);
    expect((await readdir(out)).sort()).toEqual(['a.bin', 'empty.txt']);
  });

  test('conflict strategies: fail, ignore, replace, unique', async () => {
    await mkdir(out, { recursive: true });
    const write = async (conflictResolution: string, content: string) => {
      const run = processorRunner(PutFile, { directory: out, conflictResolution });
      run.enqueue(content, { filename: 'x.txt' });
      await run.trigger();
      return run;
    };
    await writeFile(path.join(out, 'x.txt'), 'original');
    const failed = await write('fail', 'new');
    expect(failed.transferred('failure')[0]!.attributes['putfile.error']).toMatch(/file exists/);
    const ignored = await write('ignore', 'new');
    expect(ignored.transferred('success')).toHaveLength(1);
    expect(await readFile(path.join(out, 'x.txt'), 'utf8')).toBe('original');
    await write('replace', 'replaced');
    expect(await readFile(path.join(out, 'x.txt'), 'utf8')).toBe('replaced');
    await write('unique', 'second');
    await write('unique', 'third');
    expect(await readFile(path.join(out, 'x-1.txt'), 'utf8')).toBe('second');
    expect(await readFile(path.join(out, 'x-2.txt'), 'utf8')).toBe('third');
  });

  test('a filename or path with ../ cannot escape the directory', async () => {
    const names = processorRunner(PutFile, { directory: out });
    for (const filename of ['../escaped.txt', '/etc/passwd-copy', 'a/../../x.txt', '..'])
      names.enqueue('evil', { filename });
    await names.trigger();
    const refused = names.transferred('failure');
    expect(refused).toHaveLength(4);
    expect(refused[0]!.attributes['putfile.error']).toMatch(/would be written outside/);

    const paths = processorRunner(PutFile, { directory: out, useSubdirectory: true });
    paths.enqueue('evil', { filename: 'x.txt', path: '../../' });
    paths.enqueue('fine', { filename: 'ok.txt', path: 'sub/dir/' });
    await paths.trigger();
    expect(paths.transferred('failure')).toHaveLength(1);
    expect(await readFile(path.join(out, 'sub', 'dir', 'ok.txt'), 'utf8')).toBe('fine');
    expect(await readdir(root)).toEqual(['out']);
    expect(await readdir(path.dirname(root)).then((l) => l.includes('escaped.txt'))).toBe(false);
  });

  test('a symbolic link inside the directory cannot lead a write outside it', async () => {
    const outside = path.join(root, 'elsewhere');
    await mkdir(outside);
    await mkdir(out);
    await symlink(outside, path.join(out, 'link'));
    const run = processorRunner(PutFile, { directory: out, useSubdirectory: true });
    run.enqueue('evil', { filename: 'x.txt', path: 'link/' });
    await run.trigger();
    expect(run.transferred('failure')[0]!.attributes['putfile.error']).toMatch(/symbolic link/);
    expect(await readdir(outside)).toEqual([]);
  });

  test('without createDirectories a missing directory is a failure; allowedDirs are enforced at validation', async () => {
    const run = processorRunner(PutFile, { directory: out, createDirectories: false });
    run.enqueue('x', { filename: 'a.txt' });
    await run.trigger();
    expect(run.transferred('failure')[0]!.attributes['putfile.error']).toMatch(/ENOENT/);
    expect(configIssues(PutFile, { directory: '/tmp/elsewhere' }, [root])[0]!.path).toBe('/directory');
  });
  test('two writers racing on one name with "unique" both land: no check-then-write race', async () => {
    const writers = [0, 1].map(() => processorRunner(PutFile, { directory: root, conflictResolution: 'unique' }));
    for (const w of writers) for (let i = 0; i < 10; i++) w.enqueue(`from ${i}`, { filename: 'same.txt' });
    await Promise.all(writers.map((w) => w.trigger()));
    expect(writers.flatMap((w) => w.transferred('success'))).toHaveLength(20);
    const files = (await readdir(root)).filter((f) => f.startsWith('same'));
    expect(files).toHaveLength(20);
    expect(files).toContain('same.txt');
    expect(files).toContain('same-19.txt');
  });
});
