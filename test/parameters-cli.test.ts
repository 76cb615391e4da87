/** `--parameters FILE` for sluice run, validate and serve; the secrets key checks of serve. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { eventually } from './api/api-helpers';
import { freePort } from './helpers/ports';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin/sluice.mjs');
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function tempDir() {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-params-cli-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function sluice(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Generate (#{count} FlowFiles of "#{greeting}") → PutFile into #{out}. */
const flow = {
  schemaVersion: 2,
  id: 'greet',
  name: 'Greet',
  parameterContexts: [
    {
      id: 'defaults',
      parameters: [
        { name: 'greeting', value: 'hello' },
        { name: 'count', value: '1' },
        { name: 'out', value: 'out-default' },
      ],
    },
  ],
  parameterContext: 'defaults',
  processors: [
    { id: 'gen', type: 'GenerateFlowFile', config: { content: '#{greeting}', count: '#{count}' } },
    { id: 'put', type: 'PutFile', config: { directory: '#{out}' }, autoTerminate: ['success', 'failure'] },
  ],
  connections: [{ id: 'c', source: 'gen', relationships: ['success'], target: 'put' }],
};

async function contents(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return Promise.all(names.map((n) => readFile(path.join(dir, n), 'utf8')));
}

describe('sluice run --parameters', () => {
  test('one flow file, two parameter files, two different runs', async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, 'flow.json'), JSON.stringify(flow));
    await writeFile(
      path.join(cwd, 'ci.json'),
      JSON.stringify({ greeting: 'hello from CI', count: '2', out: 'out-ci' }),
    );
    await writeFile(
      path.join(cwd, 'prod.json'),
      JSON.stringify({ greeting: 'hello from prod', count: '3', out: 'out-prod' }),
    );

    const ci = sluice(['run', 'flow.json', '--parameters', 'ci.json', '--until-idle'], cwd);
    expect(ci.stderr).toBe('');
    expect(ci.code).toBe(0);
    const prod = sluice(['run', '--parameters', 'prod.json', 'flow.json', '--until-idle'], cwd);
    expect(prod.code).toBe(0);
    expect(JSON.parse(ci.stdout).processors.gen.out).toBe(2);
    expect(JSON.parse(prod.stdout).processors.gen.out).toBe(3);
    expect(await contents(path.join(cwd, 'out-ci'))).toEqual(['hello from CI', 'hello from CI']);
    expect(await contents(path.join(cwd, 'out-prod'))).toEqual([
      'hello from prod',
      'hello from prod',
      'hello from prod',
    ]);
    // The flow file is unchanged.
    expect(JSON.parse(await readFile(path.join(cwd, 'flow.json'), 'utf8'))).toEqual(flow);
  });

  test('repeatable (a later file wins); a name no context declares is a warning', async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, 'flow.json'), JSON.stringify(flow));
    await writeFile(path.join(cwd, 'a.json'), JSON.stringify({ greeting: 'from a', out: 'out', typo: 'x' }));
    await writeFile(path.join(cwd, 'b.json'), JSON.stringify({ greeting: 'from b' }));
    const r = sluice(['run', 'flow.json', '--parameters', 'a.json', '--parameters', 'b.json', '--until-idle'], cwd);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('sluice run: warning: --parameters sets "typo", which no parameter context declares\n');
    expect(await contents(path.join(cwd, 'out'))).toEqual(['from b']);
  });

  test('a malformed file is a clear error naming the file and the JSON path', async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, 'flow.json'), JSON.stringify(flow));
    await writeFile(path.join(cwd, 'number.json'), JSON.stringify({ count: 3 }));
    await writeFile(path.join(cwd, 'array.json'), '[]');
    await writeFile(path.join(cwd, 'broken.json'), '{"count": ');
    expect(sluice(['run', 'flow.json', '--parameters', 'number.json'], cwd)).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'sluice run: number.json: /count: must be a string (write "3"), not number\n',
    });
    expect(sluice(['run', 'flow.json', '--parameters', 'array.json'], cwd).stderr).toMatch(
      /^sluice run: array\.json: \/: must be an object of parameter name → value/,
    );
    expect(sluice(['run', 'flow.json', '--parameters', 'broken.json'], cwd).stderr).toMatch(
      /^sluice run: broken\.json: invalid JSON: /,
    );
    expect(sluice(['run', 'flow.json', '--parameters', 'missing.json'], cwd).stderr).toMatch(
      /^sluice run: missing\.json: cannot read the parameters file: ENOENT/,
    );
    // A value the flow cannot use is a validation issue at the property's path.
    await writeFile(path.join(cwd, 'bad-count.json'), JSON.stringify({ count: 'three' }));
    const r = sluice(['run', 'flow.json', '--parameters', 'bad-count.json'], cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'flow.json: /processors/0/config/count: parameter "count" is "three", which is not an integer\n',
    );
    expect(sluice(['validate', 'flow.json', '--allow-dir', '.', '--parameters', 'bad-count.json'], cwd).stdout).toBe(
      'flow.json: /processors/0/config/count: parameter "count" is "three", which is not an integer\n',
    );
  });
});

describe('sluice serve --parameters and the secrets key', () => {
  function serve(args: string[], cwd: string, env: Record<string, string> = {}) {
    const child: ChildProcess = spawn(process.execPath, [bin, 'serve', '--no-examples', ...args], {
      cwd,
      env: { ...process.env, LOG_LEVEL: 'warn', SLUICE_TOKEN: '', SLUICE_SECRETS_KEY: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c) => {
      stderr += c;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    cleanup.push(async () => {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    });
    return { exited, stderr: () => stderr };
  }

  test('the values apply to the flows the server holds; the key file is created 0600', async () => {
    const cwd = await tempDir();
    await writeFile(
      path.join(cwd, 'prod.json'),
      JSON.stringify({ greeting: 'served with parameters', out: path.join(cwd, 'data', 'out'), typo: '1' }),
    );
    const port = await freePort();
    const server = serve(['--port', String(port), '--data', 'data', '--parameters', 'prod.json'], cwd);
    const base = `http://127.0.0.1:${port}`;
    await eventually(async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.ok, 20_000);
    const post = await fetch(`${base}/api/flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(flow),
    });
    expect(post.status).toBe(201);
    expect(
      (await fetch(`${base}/api/flows/greet/start`, { method: 'POST', headers: { 'X-Sluice-Request': '1' } })).status,
    ).toBe(200);
    const out = path.join(cwd, 'data', 'out');
    const written = await eventually(async () => (await contents(out).catch(() => [])).at(0), 20_000);
    expect(written).toBe('served with parameters');
    expect((await stat(path.join(cwd, 'data', 'secrets.key'))).mode & 0o777).toBe(0o600);
    await eventually(() => server.stderr().includes('typo'), 10_000);
  });

  test('a malformed --parameters file, a malformed SLUICE_SECRETS_KEY or an open key file stop the start', async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, 'bad.json'), JSON.stringify({ 'no/slash!': 'x' }));
    const badFile = serve(['--port', String(await freePort()), '--data', 'data', '--parameters', 'bad.json'], cwd);
    expect(await badFile.exited).toBe(1);
    expect(badFile.stderr()).toContain('sluice serve: bad.json: /no~1slash!: "no/slash!" is not a parameter name');

    const badKey = serve(['--port', String(await freePort()), '--data', 'data'], cwd, {
      SLUICE_SECRETS_KEY: 'too short',
    });
    expect(await badKey.exited).toBe(1);
    expect(badKey.stderr()).toContain('sluice serve: SLUICE_SECRETS_KEY is not a secrets key');

    await mkdir(path.join(cwd, 'data'), { recursive: true });
    await writeFile(path.join(cwd, 'data', 'secrets.key'), `${'ab'.repeat(32)}\n`);
    await chmod(path.join(cwd, 'data', 'secrets.key'), 0o644);
    const openKey = serve(['--port', String(await freePort()), '--data', 'data'], cwd);
    expect(await openKey.exited).toBe(1);
    expect(openKey.stderr()).toMatch(
      /sluice serve: the secrets key file .*secrets\.key is accessible to group or others \(mode 0644\): run "chmod 600/,
    );
  });
});
