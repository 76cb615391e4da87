/** The three-level nested example, run for real through the CLI, and in-process for its provenance. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { FlowEngine } from '../../server/engine/flow-engine';
import { validateFlow } from '../../server/validation/flow-validator';

const root = path.resolve(import.meta.dirname, '../..');
const file = path.join(root, 'flows/examples/nested-groups.json');

/** What each component took in: 40 orders, 4 of them (amount 0) rejected, 36 priced and accepted. */
const expectedIn: Record<string, number> = {
  generate: 0,
  intake__orders: 40,
  intake__tag: 40,
  intake__checks__in: 40,
  intake__checks__validate: 40,
  intake__checks__pricing__in: 36,
  intake__checks__pricing__price: 36,
  intake__checks__pricing__priced: 36,
  intake__checks__valid: 36,
  intake__checks__invalid: 4,
  intake__accepted: 36,
  intake__rejects: 4,
  intake__rejected: 4,
  'log-accepted': 36,
  'log-rejected': 4,
};

test('sluice run --until-idle runs the three nested levels to idle with exact counts', async () => {
  const cwd = await mkdtemp(path.join(tmpdir(), 'sluice-nested-example-'));
  try {
    const r = spawnSync(process.execPath, [path.join(root, 'bin/sluice.mjs'), 'run', file, '--until-idle'], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const status = JSON.parse(r.stdout) as {
      processors: Record<string, { in: number; out: number; errors: number; type: string }>;
      connections: Record<string, { count: number; source: string; target: string }>;
    };
    expect(Object.fromEntries(Object.entries(status.processors).map(([id, p]) => [id, p.in]))).toEqual(expectedIn);
    expect(status.processors.generate!.out).toBe(40);
    expect(Object.values(status.processors).every((p) => p.errors === 0)).toBe(true);
    expect(Object.values(status.connections).every((c) => c.count === 0)).toBe(true);
    // A connection crossing two borders at once: from the output port of Pricing to the output port of Checks.
    expect(status.connections['intake__checks__pricing-to-valid']).toMatchObject({
      source: 'intake__checks__pricing__priced',
      target: 'intake__checks__valid',
    });
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

test('ports and funnels pass FlowFiles on without copying them and without provenance events of their own', async () => {
  const registry = createRegistry();
  const check = validateFlow(JSON.parse(await readFile(file, 'utf8')), registry);
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  const engine = new FlowEngine(check.resolved, registry);
  try {
    expect(await engine.start()).toEqual([]);
    expect(await engine.waitUntilIdle(20_000)).toBe(true);
  } finally {
    await engine.stop();
  }
  const events = await engine.provenance.query({ flowId: 'nested-groups', limit: 10_000 });
  const passThrough = new Set(
    Object.entries(check.origins)
      .filter(([, o]) => o.kind === 'inputPort' || o.kind === 'outputPort' || o.kind === 'funnel')
      .map(([id]) => id),
  );
  expect(passThrough.size).toBe(9); // 8 ports, 1 funnel
  expect(events.filter((e) => passThrough.has(e.componentId))).toEqual([]);
  // The FlowFile a source created is the one the sink drops: the same id through every port on the way.
  const created = events.filter((e) => e.type === 'CREATE').map((e) => e.flowFileId);
  const dropped = events.filter((e) => e.type === 'DROP').map((e) => e.flowFileId);
  expect(created).toHaveLength(40);
  expect(new Set(dropped)).toEqual(new Set(created));
  expect(events.filter((e) => e.type === 'CLONE')).toEqual([]);
});
