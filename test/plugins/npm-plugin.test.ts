/**
 * The example plugin as an npm package: packed with `npm pack`, installed offline into a fresh data directory's
 * node_modules, found by its `sluice-plugin` keyword (and plugins.json) by `sluice serve`, and run in a flow.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, GEO_ENRICH, runGeoFlow, type Served, serve } from './plugin-helpers';

const run = promisify(execFile);
let tmp: string;
let data: string;
let server: Served | undefined;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'sluice-npm-plugin-'));
  data = path.join(tmp, 'data');
  await mkdir(data);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  await run(npm, ['pack', GEO_ENRICH, '--pack-destination', tmp], { cwd: tmp });
  const tarball = (await readdir(tmp)).find((f) => f.endsWith('.tgz'));
  expect(tarball).toBe('sluice-plugin-geo-enrich-1.0.0.tgz');
  // No dependencies: it installs without the network.
  await run(npm, ['install', '--prefix', data, path.join(tmp, tarball!), '--offline', '--no-audit', '--no-fund'], {
    cwd: tmp,
  });
  // Listed as well as found by its keyword: loaded once.
  await writeFile(path.join(data, 'plugins.json'), JSON.stringify({ packages: ['sluice-plugin-geo-enrich'] }));
  server = await serve(['--data', data]);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe('a plugin installed from a packed npm tarball', () => {
  test('is found in node_modules and listed by GET /api/processors', async () => {
    const processors = await api<{ type: string; plugin?: unknown }[]>(server!.base, '/processors');
    expect(processors.filter((p) => p.type === 'GeoEnrich')).toEqual([
      expect.objectContaining({
        plugin: {
          name: 'sluice-plugin-geo-enrich',
          version: '1.0.0',
          path: path.join(data, 'node_modules/sluice-plugin-geo-enrich'),
        },
      }),
    ]);
    expect(server!.stderr()).toContain('plugins: 1 loaded (sluice-plugin-geo-enrich), 0 failed');
  });

  test('runs a flow: status, provenance and queue show its work', async () => {
    await runGeoFlow(server!.base, 'geo-from-npm');
  });
});
