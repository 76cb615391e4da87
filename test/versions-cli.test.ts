/**
 * `sluice diff` (output and exit codes) and `sluice merge-flow` as a git merge driver in a real repository:
 * branches changing different processors (and both adding one where a line merge conflicts) merge cleanly; the
 * same property changed on both sides is a conflict listed on stderr, the file left for git to mark.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { gitEnvironment } from '../server/versions/git-cli';
import { stableStringify } from '../server/versions/stable-json';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin/sluice.mjs');

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tempDir() {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-versions-cli-'));
  dirs.push(dir);
  return dir;
}

function sluice(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const flow = () => ({
  schemaVersion: 2,
  id: 'orders',
  name: 'Orders',
  processors: [
    { id: 'gen', type: 'GenerateFlowFile', position: { x: 0, y: 0 }, config: { content: 'hi', batchSize: 20 } },
    {
      id: 'log',
      type: 'LogAttribute',
      position: { x: 0, y: 200 },
      config: { logLevel: 'info' },
      autoTerminate: ['success'],
    },
  ],
  connections: [{ id: 'c1', source: 'gen', relationships: ['success'], target: 'log' }],
});
type F = ReturnType<typeof flow>;
const edit = (change: (f: F) => void) => {
  const f = flow();
  change(f);
  return f;
};

describe('sluice diff', () => {
  test('equal flows: exit 0, nothing printed; different: exit 1 with one line per change', async () => {
    const dir = await tempDir();
    const a = path.join(dir, 'a.json');
    const b = path.join(dir, 'b.json');
    await writeFile(a, JSON.stringify(flow()));
    await writeFile(b, stableStringify(flow()));
    expect(sluice(['diff', a, b])).toEqual({ code: 0, stdout: '', stderr: '' });
    await writeFile(
      b,
      JSON.stringify(
        edit((f) => {
          f.processors[0]!.config.batchSize = 50;
          f.processors[1]!.position = { x: 10, y: 200 };
          f.processors.push({
            id: 'put',
            type: 'PutFile',
            position: { x: 1, y: 1 },
            config: { logLevel: '' },
            autoTerminate: [],
          });
        }),
      ),
    );
    const r = sluice(['diff', a, b]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    // Not a TTY: no colours.
    expect(r.stdout).toBe(
      [
        '~ processor "gen"',
        '    config.batchSize: 20 → 50',
        '> processor "log" moved',
        '    position.x: 0 → 10',
        '+ processor "put"',
        '',
      ].join('\n'),
    );
  });

  test('a file that is not a flow: exit 2 naming the file and the JSON path', async () => {
    const dir = await tempDir();
    const a = path.join(dir, 'a.json');
    const bad = path.join(dir, 'bad.json');
    await writeFile(a, JSON.stringify(flow()));
    await writeFile(bad, JSON.stringify({ ...flow(), processors: [{ id: 'x y', type: 'T' }] }));
    const r = sluice(['diff', a, bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`sluice diff: ${bad}: /processors/0/id: must be 1 to 64 letters`);
    await writeFile(bad, '{"schemaVersion": 2,');
    expect(sluice(['diff', bad, a]).stderr).toMatch(/^sluice diff: .*bad\.json: \/: invalid JSON: /);
  });
});

describe('sluice merge-flow as a git merge driver', () => {
  async function repoWithBranches(ours: F, theirs: F) {
    const dir = await tempDir();
    const env = gitEnvironment(dir);
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, env, encoding: 'utf8' });
    git('init', '--quiet', '--initial-branch=main');
    git('config', 'merge.sluice.driver', `"${process.execPath}" "${bin}" merge-flow %O %A %B`);
    await writeFile(path.join(dir, '.gitattributes'), 'flows/*.json merge=sluice\n');
    execFileSync('mkdir', ['-p', path.join(dir, 'flows')]);
    const file = path.join(dir, 'flows/orders.json');
    await writeFile(file, stableStringify(flow()));
    git('add', '.');
    git('commit', '--quiet', '-m', 'base');
    git('checkout', '--quiet', '-b', 'theirs');
    await writeFile(file, stableStringify(theirs));
    git('commit', '--quiet', '-am', 'theirs');
    git('checkout', '--quiet', 'main');
    await writeFile(file, stableStringify(ours));
    git('commit', '--quiet', '-am', 'ours');
    const merge = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'merge', '--no-edit', 'theirs'], {
      cwd: dir,
      env,
      encoding: 'utf8',
    });
    return { merge, file, git };
  }

  test('different processors changed, and one added on each side (a line merge conflicts): merged cleanly', async () => {
    const ours = edit((f) => {
      f.processors[0]!.config.batchSize = 50;
      f.processors.push({
        id: 'a1',
        type: 'LogAttribute',
        position: { x: 5, y: 5 },
        config: { logLevel: 'warn' },
        autoTerminate: ['success'],
      });
    });
    const theirs = edit((f) => {
      f.processors[1]!.config.logLevel = 'debug';
      f.processors.push({
        id: 'b1',
        type: 'LogAttribute',
        position: { x: 9, y: 9 },
        config: { logLevel: 'error' },
        autoTerminate: ['success'],
      });
    });
    const { merge, file, git } = await repoWithBranches(ours, theirs);
    expect(merge.status).toBe(0);
    const merged = JSON.parse(await readFile(file, 'utf8'));
    expect(merged.processors.map((p: { id: string }) => p.id)).toEqual(['gen', 'log', 'a1', 'b1']);
    expect(merged.processors[0].config.batchSize).toBe(50);
    expect(merged.processors[1].config.logLevel).toBe('debug');
    expect(git('status', '--porcelain')).toBe('');
    // Without the driver, git's line merge conflicts on the two additions.
    const dir = path.dirname(path.dirname(file));
    for (const [name, f] of [
      ['o', ours],
      ['b', flow()],
      ['t', theirs],
    ] as const)
      await writeFile(path.join(dir, name), stableStringify(f));
    const plain = spawnSync('git', ['merge-file', '-p', '--quiet', 'o', 'b', 't'], {
      cwd: dir,
      env: gitEnvironment(dir),
    });
    expect(plain.status).toBeGreaterThan(0);
  });

  test('the same property changed differently on both sides: a conflict, listed; the file stays ours', async () => {
    const ours = edit((f) => {
      f.processors[0]!.config.batchSize = 30;
      f.processors[1]!.config.logLevel = 'warn';
    });
    const theirs = edit((f) => {
      f.processors[0]!.config.batchSize = 40;
    });
    const { merge, file, git } = await repoWithBranches(ours, theirs);
    expect(merge.status).not.toBe(0);
    expect(merge.stderr).toContain('1 conflict(s)');
    expect(merge.stderr).toContain('/processors[gen]/config/batchSize: ours 30, theirs 40');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(ours);
    expect(git('status', '--porcelain')).toContain('UU flows/orders.json');
  });
});
