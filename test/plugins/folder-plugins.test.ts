/**
 * Plugins from a folder (`--plugins DIR`): the example plugin's package folder and a loose .ts module are loaded,
 * GeoEnrich runs in a flow; a module that throws at import, one with a syntax error and plugins built for SDK 2
 * are reported with their paths while the server
 * serves; `sluice processors --json` lists the plugin processor too.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, GEO_ENRICH, geoFlow, runGeoFlow, type Served, serve, sluice } from './plugin-helpers';

let tmp: string;
let plugins: string;
let server: Served | undefined;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'sluice-plugins-'));
  plugins = path.join(tmp, 'plugins');
  await cp(GEO_ENRICH, path.join(plugins, 'geo-enrich'), { recursive: true });
  await writeFile(path.join(plugins, 'broken.mjs'), "throw new Error('this plugin is broken on purpose');\n");
  await writeFile(path.join(plugins, 'syntax.ts'), 'export default { processors: [ ;\n');
  // SDK 2 plugins: a module that says so in its export, and a package that says so in package.json.
  await writeFile(path.join(plugins, 'from-the-future.mjs'), "export default { sdk: '^2.0.0', processors: [] };\n");
  await mkdir(path.join(plugins, 'future-package'));
  await writeFile(
    path.join(plugins, 'future-package/package.json'),
    JSON.stringify({ name: 'sluice-plugin-future', version: '2.0.0', sluice: { sdk: '^2.1.0' }, main: 'index.mjs' }),
  );
  await writeFile(path.join(plugins, 'future-package/index.mjs'), "throw new Error('never imported');\n");
  await writeFile(path.join(plugins, 'README.md'), 'not a module\n');
  // A loose TypeScript module default-exporting one definition.
  await writeFile(
    path.join(plugins, 'hello.ts'),
    `import { defineProcessor } from '@sluice/sdk';
export default defineProcessor({
  type: 'Hello',
  description: 'Says hello.',
  category: 'transform',
  input: 'required',
  config: { type: 'object', additionalProperties: false, properties: {} },
  relationships: [{ name: 'success', description: 'Greeted.' }],
  async onTrigger(session) {
    for (const ff of await session.get()) session.transfer(session.putAttributes(ff, { hello: 'yes' }), 'success');
  },
});
`,
  );
  server = await serve(['--data', path.join(tmp, 'data'), '--plugins', plugins]);
});

afterAll(async () => {
  await server?.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe('plugins from a folder', () => {
  test('GET /api/processors lists GeoEnrich with where it came from', async () => {
    const processors = await api<{ type: string; plugin?: unknown }[]>(server!.base, '/processors');
    const geo = processors.find((p) => p.type === 'GeoEnrich');
    expect(geo?.plugin).toEqual({
      name: 'sluice-plugin-geo-enrich',
      version: '1.0.0',
      path: path.join(plugins, 'geo-enrich'),
    });
    expect(processors.find((p) => p.type === 'Hello')?.plugin).toEqual({
      name: 'hello',
      path: path.join(plugins, 'hello.ts'),
    });
    expect(processors.find((p) => p.type === 'UpdateAttribute')?.plugin).toBeUndefined();
  });

  test('a flow through GeoEnrich runs and its attributes are right', async () => {
    await runGeoFlow(server!.base, 'geo-from-folder');
  });

  test('plugins that throw at import, do not compile or want SDK 2 are reported with their paths; the rest serves', async () => {
    const lines = server!
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; plugin?: string; err?: string });
    const failed = (file: string) => lines.find((l) => l.plugin === path.join(plugins, file));
    expect(failed('broken.mjs')?.err).toBe('this plugin is broken on purpose');
    expect(failed('syntax.ts')?.err).toContain(`${path.join(plugins, 'syntax.ts')}:1:31: ERROR: Unexpected ";"`);
    expect(failed('from-the-future.mjs')?.err).toBe(
      'plugin from-the-future was built for SDK 2.x ("^2.0.0"); this Sluice has SDK 1.0.0',
    );
    expect(failed('future-package')?.err).toBe(
      'plugin sluice-plugin-future was built for SDK 2.x ("^2.1.0"); this Sluice has SDK 1.0.0',
    );
    expect(lines.find((l) => l.msg.startsWith('plugins: '))?.msg).toBe(
      'plugins: 2 loaded (sluice-plugin-geo-enrich, hello), 4 failed',
    );
    expect((await fetch(`${server!.base}/healthz`)).ok).toBe(true);
    expect((await api<{ type: string }>(server!.base, '/processors/GeoEnrich')).type).toBe('GeoEnrich');
  });

  test('sluice processors --json lists it too, and names the plugins that did not load', () => {
    const r = sluice(['processors', '--json', '--data', path.join(tmp, 'cli-data'), '--plugins', plugins]);
    const listed = JSON.parse(r.stdout) as { type: string; plugin?: { name: string } }[];
    expect(listed.find((p) => p.type === 'GeoEnrich')?.plugin?.name).toBe('sluice-plugin-geo-enrich');
    expect(listed.some((p) => p.type === 'GenerateFlowFile')).toBe(true);
    expect(r.stderr).toContain(`sluice processors: plugin not loaded: ${path.join(plugins, 'broken.mjs')}: `);
    expect(r.code).toBe(1);
  });

  test('sluice validate knows the plugin types only with --plugins', async () => {
    const flow = path.join(tmp, 'geo-flow.json');
    await writeFile(flow, JSON.stringify(geoFlow('geo')));
    const without = sluice(['validate', flow, '--data', tmp]);
    expect(without.code).toBe(1);
    expect(without.stdout).toContain('unknown processor type "GeoEnrich"');
    const withPlugins = sluice(['validate', flow, '--data', tmp, '--plugins', plugins]);
    expect(withPlugins.stdout).toBe('');
    expect(withPlugins.stderr).toContain(`sluice validate: plugin not loaded: ${path.join(plugins, 'broken.mjs')}: `);
    expect(withPlugins.code).toBe(0);
  });
});
