/**
 * `sluice validate` applies the server's validation: nesting depth (no stack trace), allowed directories
 * (default: the data directory, as `serve`), the loopback rule for listeners, and a byte-order mark accepted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pipeFlow } from '../api/api-helpers';

const root = path.resolve(import.meta.dirname, '../..');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-validate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function validate(args: string[], env: Record<string, string> = {}) {
  const clean: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', ...env };
  if (!('SLUICE_TOKEN' in env)) delete clean.SLUICE_TOKEN;
  if (!('SLUICE_DATA' in env)) delete clean.SLUICE_DATA;
  const r = spawnSync(process.execPath, [path.join(root, 'bin/sluice.mjs'), 'validate', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: clean,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function flowFile(name: string, flow: unknown, prefix = ''): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, prefix + JSON.stringify(flow));
  return file;
}

function filesFlow(directory: string) {
  return {
    schemaVersion: 1,
    id: 'files',
    name: 'Files',
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', config: { count: 1 } },
      { id: 'put', type: 'PutFile', config: { directory }, autoTerminate: ['success', 'failure'] },
    ],
    connections: [{ id: 'c', source: 'gen', relationships: ['success'], target: 'put' }],
  };
}

describe('sluice validate, as the server validates', () => {
  test('a config nested 2,000 levels deep is one path-named error, not a RangeError', async () => {
    const flow = pipeFlow('deep');
    let deep: unknown = {};
    for (let i = 0; i < 2000; i++) deep = { a: deep };
    (flow.processors[0]!.config as Record<string, unknown>).attributes = deep;
    const file = await flowFile('deep.json', flow);
    const r = validate([file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^.*deep\.json: \/processors\/0\/config\/attributes(\/a)+: nested deeper than 64 levels/);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  test('PutFile writing to /etc is refused (default: the data directory), allowed with --allow-dir', async () => {
    const file = await flowFile('etc.json', filesFlow('/etc'));
    const refused = validate([file]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      `/processors/1/config/directory: directory "/etc" is outside the allowed directories: ${path.join(dir, 'data')}`,
    );
    expect(validate([file], { SLUICE_DATA: '/etc' }).code).toBe(0); // the data directory, as serve reads it
    expect(validate([file, '--allow-dir', '/etc'])).toMatchObject({ code: 0, stdout: '' });
    const inData = await flowFile('in-data.json', filesFlow('./data/out'));
    expect(validate([inData])).toMatchObject({ code: 0, stdout: '' });
  });

  test('a file starting with a byte-order mark is accepted, as the API accepts it', async () => {
    const file = await flowFile('bom.json', pipeFlow('bom'), '\ufeff');
    expect(validate([file])).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  test('a listener beyond loopback is refused unless validated for a server with a token', async () => {
    const flow = {
      schemaVersion: 1,
      id: 'ingest',
      name: 'Ingest',
      processors: [
        { id: 'in', type: 'ListenHTTP', config: { port: 9999, host: '0.0.0.0' }, autoTerminate: ['success'] },
      ],
      connections: [],
    };
    const file = await flowFile('listen.json', flow);
    const refused = validate([file]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/\/processors\/0\/config\/host: binding "0.0.0.0" opens this listener/);
    expect(validate([file, '--authenticated']).code).toBe(0);
    expect(validate([file], { SLUICE_TOKEN: 'x' }).code).toBe(0);
  });
});
