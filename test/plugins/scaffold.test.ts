/** `sluice new-processor`: the package it creates passes its own `npm test` at once, offline, and loads as a plugin. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sluice } from './plugin-helpers';

const run = promisify(execFile);
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'sluice-scaffold-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('sluice new-processor', () => {
  test('creates my-thing/ whose npm test passes without installing anything', async () => {
    const r = sluice(['new-processor', 'MyThing', '--dir', tmp]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const pkgDir = path.join(tmp, 'my-thing');
    const pkg = JSON.parse(await readFile(path.join(pkgDir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ keywords: ['sluice-plugin'], sluice: { sdk: '^1.0.0' }, main: 'src/my-thing.ts' });
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const { stdout } = await run(npm, ['test'], { cwd: pkgDir, env: { ...process.env, npm_config_offline: 'true' } });
    expect(stdout).toMatch(/# pass 2\n/);
    expect(stdout).toMatch(/# fail 0\n/);
  });

  test('the scaffolded package loads as a plugin', () => {
    const r = sluice(['processors', '--json', '--data', path.join(tmp, 'data'), '--plugins', tmp]);
    expect(r.stderr).toBe('');
    const listed = JSON.parse(r.stdout) as { type: string; plugin?: { name: string } }[];
    expect(listed.find((p) => p.type === 'MyThing')?.plugin?.name).toBe('sluice-plugin-my-thing');
  });

  test('refuses a name that is not PascalCase, and an existing folder', () => {
    expect(sluice(['new-processor', 'my_thing', '--dir', tmp]).stderr).toMatch(/not a PascalCase processor type/);
    const again = sluice(['new-processor', 'MyThing', '--dir', tmp]);
    expect(again.stderr).toMatch(/already exists/);
    expect(again.code).toBe(1);
  });
});
