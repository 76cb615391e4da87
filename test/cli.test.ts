import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin/sluice.mjs');

function sluice(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runUntilIdle(flow: string, cwd = root) {
  const r = sluice(['run', flow, '--until-idle', '--timeout', '30s'], cwd);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as {
    processors: Record<string, { in: number; out: number; errors: number }>;
    connections: Record<string, { count: number }>;
  };
}

describe('sluice validate', () => {
  test('exits 0 for valid flows', () => {
    const r = sluice(['validate', 'flows/examples/hello-log.json', 'flows/examples/route-orders.json']);
    expect(r).toMatchObject({ code: 0, stdout: '' });
  });

  test('exits 1 with one "file: /path: message" line per error', () => {
    const bad = 'test/fixtures/invalid-flows/unknown-relationship.json';
    const r = sluice(['validate', 'flows/examples/hello-log.json', bad]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain(
      `${bad}: /connections/0/relationships/0: "nonexistent_rel" is not a relationship of processor "gen" (GenerateFlowFile); expected one of: success`,
    );
    for (const line of lines)
      expect(line).toMatch(/^test\/fixtures\/invalid-flows\/unknown-relationship\.json: \/\S*: .+/);
  });

  test('names a file that is not JSON', () => {
    const r = sluice(['validate', 'test/fixtures/invalid-flows/truncated-json.json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^test\/fixtures\/invalid-flows\/truncated-json\.json: \/: invalid JSON: /);
  });
});

describe('sluice run --until-idle on each example flow', () => {
  test('hello-log: 5 generated, 5 logged', () => {
    const s = runUntilIdle('flows/examples/hello-log.json');
    expect(s.processors.generate!.out).toBe(5);
    expect(s.processors.log!.in).toBe(5);
    expect(s.connections['generate-to-log']!.count).toBe(0);
  });

  test('route-orders: 100 orders, 20 large EU, 80 others', () => {
    const s = runUntilIdle('flows/examples/route-orders.json');
    expect(s.processors.generate!.out).toBe(100);
    expect(s.processors.tag!.out).toBe(100);
    expect(s.processors['log-large']!.in).toBe(20);
    expect(s.processors['log-rest']!.in).toBe(80);
    expect(Object.values(s.processors).every((p) => p.errors === 0)).toBe(true);
  });

  test('fan-out: both sinks get all 20', () => {
    const s = runUntilIdle('flows/examples/fan-out.json');
    expect(s.processors.generate!.out).toBe(40);
    expect(s.processors.audit!.in).toBe(20);
    expect(s.processors.enrich!.in).toBe(20);
  });

  test('files-in-out: every .txt file in data/in lands in data/out', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'sluice-cli-'));
    await mkdir(path.join(cwd, 'data/in'), { recursive: true });
    for (const name of ['a.txt', 'b.txt', 'c.txt', 'skip.csv']) await writeFile(path.join(cwd, 'data/in', name), name);
    const s = runUntilIdle(path.join(root, 'flows/examples/files-in-out.json'), cwd);
    expect(s.processors.get!.out).toBe(3);
    expect(s.processors.put!.in).toBe(3);
    expect((await readdir(path.join(cwd, 'data/out'))).sort()).toEqual(['a.txt', 'b.txt', 'c.txt']);
    expect(await readdir(path.join(cwd, 'data/in'))).toEqual(['skip.csv']);
  });

  test('an invalid flow is refused with path-named errors and exit 1', () => {
    const r = sluice(['run', 'test/fixtures/invalid-flows/config-wrong-type.json', '--until-idle']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/processors/0/config/batchSize: must be integer');
  });
});

describe('sluice run --until-idle at stop', () => {
  test('the window a WindowAggregate flushes when it stops goes all the way to the sink', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'sluice-window-stop-'));
    const flow = {
      schemaVersion: 1,
      id: 'window-stop',
      name: 'window at stop',
      processors: [
        {
          id: 'gen',
          type: 'GenerateFlowFile',
          config: { content: '{"sensor":"a","value":2}', count: 3, batchSize: 3 },
        },
        {
          id: 'window',
          type: 'WindowAggregate',
          config: {
            windowType: 'tumbling',
            size: '1h',
            timeSource: 'processing',
            key: 'content.sensor',
            aggregations: { total: { op: 'sum', value: 'content.value' } },
          },
          autoTerminate: ['late', 'failure'],
        },
        {
          id: 'sink',
          type: 'PutFile',
          config: { directory: path.join(cwd, 'data', 'out'), conflictResolution: 'unique' },
          autoTerminate: ['success', 'failure'],
        },
      ],
      connections: [
        { id: 'c1', source: 'gen', relationships: ['success'], target: 'window' },
        { id: 'c2', source: 'window', relationships: ['success'], target: 'sink' },
      ],
    };
    await writeFile(path.join(cwd, 'flow.json'), JSON.stringify(flow));
    const status = runUntilIdle(path.join(cwd, 'flow.json'), cwd);
    // The hour-long window is still open when the flow is idle: it is emitted at stop, and written.
    expect(status.processors.window!.out).toBe(1);
    expect(status.processors.sink!.in).toBe(1);
    expect(status.connections.c2!.count).toBe(0);
    const written = await readdir(path.join(cwd, 'data', 'out'));
    expect(written).toHaveLength(1);
  });
});
