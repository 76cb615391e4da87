/**
 * The orders-by-region-sql example, run for real by `sluice run`: the sample CSV dropped in data/orders-in comes
 * out as by_region.json (exact count and sum per region) and large_eu.json in data/orders-out, the two rows that
 * do not fit are logged, and the input file is taken.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

test('sluice run --until-idle writes by_region.json and large_eu.json for the sample CSV', async () => {
  const cwd = await mkdtemp(path.join(tmpdir(), 'sluice-orders-sql-'));
  cleanup.push(() => rm(cwd, { recursive: true, force: true }));
  await mkdir(path.join(cwd, 'data/orders-in'), { recursive: true });
  await copyFile(
    path.join(root, 'flows/examples/input/by-region/orders.csv'),
    path.join(cwd, 'data/orders-in/orders.csv'),
  );
  const r = spawnSync(
    process.execPath,
    [
      path.join(root, 'bin/sluice.mjs'),
      'run',
      path.join(root, 'flows/examples/orders-by-region-sql.json'),
      '--until-idle',
    ],
    { cwd, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'error' } },
  );
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const status = JSON.parse(r.stdout) as { processors: Record<string, { in: number; errors: number }> };
  expect(status.processors['log-invalid']!.in).toBe(1);
  expect(status.processors['log-errors']!.in).toBe(0);

  const out = path.join(cwd, 'data/orders-out');
  expect((await readdir(out)).sort()).toEqual(['by_region.json', 'large_eu.json']);
  // The totals as written (text), so a sum that drifted in its last digit cannot pass as equal.
  expect(await readFile(path.join(out, 'by_region.json'), 'utf8')).toBe(
    '[{"region":"apac","orders":2,"total":825.5},{"region":"eu","orders":5,"total":3720.75},' +
      '{"region":"latam","orders":2,"total":1561.05},{"region":"us","orders":4,"total":2380.09}]',
  );
  expect(JSON.parse(await readFile(path.join(out, 'large_eu.json'), 'utf8'))).toEqual([
    { id: '0001', customer: 'Müller, Hans', amount: 1500.25 },
    { id: '0003', customer: 'Jean Dupont', amount: 620 },
    { id: '0013', customer: 'Jan Novák', amount: 980 },
  ]);
  expect(await readdir(path.join(cwd, 'data/orders-in'))).toEqual([]);
});
