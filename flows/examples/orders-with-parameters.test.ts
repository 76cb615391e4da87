/**
 * The parameters-and-services example, run for real: `sluice run --parameters` posts every order to another API
 * with another token, and `sluice serve --parameters` points the seeded example at its own server, where its demo
 * API receives and checks every order; the token (a sensitive parameter) never shows.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { eventually } from '../../test/api/api-helpers';
import { freePort } from '../../test/helpers/ports';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin', 'sluice.mjs');
const example = path.join(root, 'flows', 'examples', 'orders-with-parameters.json');
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-orders-params-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** An orders API that records the Authorization header and body of every request. */
async function ordersApi(): Promise<{ url: string; seen: { authorization?: string; body: string }[] }> {
  const seen: { authorization?: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({ authorization: req.headers.authorization, body });
      res.setHeader('content-type', 'application/json');
      res.end('{"accepted":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`, seen };
}

/** Runs the CLI to its end, without blocking this process. */
function runSluice(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, LOG_LEVEL: 'info' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => {
    stdout += c;
  });
  child.stderr.on('data', (c) => {
    stderr += c;
  });
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

describe('orders-with-parameters', () => {
  test('sluice run --parameters sends every order to the API of the file, with its token, and prints no token', async () => {
    const cwd = await tempDir();
    const api = await ordersApi();
    const token = 'Bearer run-token-6f1c0b';
    await writeFile(
      path.join(cwd, 'prod.json'),
      JSON.stringify({ 'order.count': '7', 'orders.api.url': api.url, 'orders.api.token': token }),
    );
    // Not spawnSync: the orders API answers from this process's event loop.
    const r = await runSluice(['run', example, '--parameters', 'prod.json', '--until-idle', '--timeout', '30s'], cwd);
    expect(r.status, r.stderr).toBe(0);
    expect(api.seen).toHaveLength(7);
    expect(new Set(api.seen.map((s) => s.authorization))).toEqual(new Set([token]));
    const ids = api.seen.map((s) => (JSON.parse(s.body) as { id: number }).id).sort((a, b) => a - b);
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const s of api.seen) expect(JSON.parse(s.body)).toMatchObject({ region: expect.any(String) });
    expect(r.stdout + r.stderr).not.toContain('run-token-6f1c0b');
    const status = JSON.parse(r.stdout) as { processors: Record<string, { in: number; errors: number }> };
    expect(status.processors['post-order']!.in).toBe(7);
    expect(status.processors['log-problems']!.in).toBe(0);
  });

  test('sluice serve --parameters runs the seeded example (the examples are seeded and started) against its own demo API; the token stays write-only', async () => {
    const cwd = await tempDir();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await writeFile(
      path.join(cwd, 'here.json'),
      JSON.stringify({ 'orders.api.url': `${url}/listen/orders-api`, 'orders.api.token': 'Bearer serve-token-93ad' }),
    );
    const child: ChildProcess = spawn(
      process.execPath,
      [bin, 'serve', '--port', String(port), '--data', 'data', '--parameters', 'here.json'],
      { cwd, env: { ...process.env, LOG_LEVEL: 'info', SLUICE_TOKEN: '', SLUICE_SECRETS_KEY: '' }, stdio: 'pipe' },
    );
    let output = '';
    child.stdout!.on('data', (c) => {
      output += c;
    });
    child.stderr!.on('data', (c) => {
      output += c;
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cleanup.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    });

    const status = await eventually(async () => {
      const res = await fetch(`${url}/api/flows/orders-with-parameters/status`).catch(() => undefined);
      if (!res?.ok) return undefined;
      const s = (await res.json()) as { processors: Record<string, { in: number }> };
      return s.processors['log-received']!.in === 20 ? s : undefined;
    }, 30_000);
    expect(status.processors['log-problems']!.in).toBe(0);
    expect(status.processors['check-received']!.in).toBe(20);

    const flow = (await (await fetch(`${url}/api/flows/orders-with-parameters`)).json()) as {
      parameterContexts: { parameters: { name: string; value?: string; set?: boolean }[] }[];
    };
    const token = flow.parameterContexts.flatMap((c) => c.parameters).find((p) => p.name === 'orders.api.token');
    expect(token).toMatchObject({ sensitive: true, set: true });
    expect(token).not.toHaveProperty('value');
    const exported = await (await fetch(`${url}/api/flows/orders-with-parameters/export`)).text();
    expect(exported).not.toContain('dev-only-token');
    expect(exported).not.toContain('serve-token-93ad');
    expect(output).toContain('order received');
    expect(output).not.toContain('serve-token-93ad');
  });
});
