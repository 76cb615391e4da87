import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { freePort } from '../helpers/ports';
import { eventually } from './api-helpers';
import { exampleIds } from './example-ids';

const BIN = path.resolve('bin/sluice.mjs');
let child: ChildProcess | undefined;
let cwd: string | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
  }
  child = undefined;
  if (cwd) await rm(cwd, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}) {
  const proc = spawn(process.execPath, [BIN, 'serve', ...args], {
    cwd,
    env: { ...process.env, LOG_LEVEL: 'warn', SLUICE_TOKEN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (c) => {
    stderr += c;
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, exited, stderr: () => stderr };
}

describe('sluice serve', () => {
  test('from a fresh checkout-like directory: ./data is created, the examples run, SIGTERM exits cleanly', async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'sluice-cwd-'));
    const port = await freePort();
    const server = run(['--port', String(port)]);
    child = server.proc;
    const base = `http://127.0.0.1:${port}`;
    await eventually(async () => (await fetch(`${base}/healthz`)).ok, 20_000);
    const flows = (await (await fetch(`${base}/api/flows`)).json()) as { id: string; state: string }[];
    const ids = await exampleIds();
    // Examples that need external brokers are loaded stopped; the self-contained ones run.
    expect(flows.map((f) => [f.id, f.state])).toEqual(
      ids.map((id) => [id, id === 'rabbitmq-window-mqtt' ? 'stopped' : 'running']),
    );
    const state = JSON.parse(await readFile(path.join(cwd, 'data', 'state.json'), 'utf8'));
    expect(Object.keys(state.flows).sort()).toEqual(ids);
    server.proc.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  test('refuses a non-loopback host without a token, and a bad --max-body', async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'sluice-cwd-'));
    const open = run(['--host', '0.0.0.0', '--port', '0']);
    expect(await open.exited).toBe(1);
    expect(open.stderr()).toMatch(/set a token/);
    const big = run(['--max-body', 'lots', '--port', '0']);
    expect(await big.exited).toBe(1);
    expect(big.stderr()).toMatch(/--max-body "lots" is not a size/);
  });
});
