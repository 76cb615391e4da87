/**
 * A 50 MB file through GetFile → CompressContent → PutFile on NATS: the content travels through the Object
 * Store (claims), not in messages, and what PutFile writes is byte-identical to gzip of the input. The claims
 * are gone afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { contentBucket } from '../../server/nats/names';
import { NatsLink } from '../../server/nats/nats-link';
import { type NatsServerHandle, startNats } from '../helpers/nats-server';
import { type EngineProcess, finalStatus, runEngine, writeJson } from './engine-process';

let nats: NatsServerHandle;
let dir: string;
const engines: EngineProcess[] = [];

beforeAll(async () => {
  nats = await startNats();
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-large-'));
});

afterAll(async () => {
  for (const e of engines) e.child.kill('SIGKILL');
  await nats?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a 50 MB file passes GetFile → CompressContent → PutFile on NATS byte-identical', async () => {
  const inDir = path.join(dir, 'in');
  const outDir = path.join(dir, 'out');
  await mkdir(inDir);
  // Half random, half text: both incompressible and compressible content in one file.
  const input = Buffer.concat([randomBytes(25 * 1024 * 1024), Buffer.from('sluice '.repeat((25 * 1024 * 1024) / 7))]);
  await writeFile(path.join(inDir, 'big.bin'), input);
  const flow = await writeJson(path.join(dir, 'flow.json'), {
    schemaVersion: 1,
    id: 'large',
    name: 'large',
    processors: [
      { id: 'get', type: 'GetFile', config: { directory: inDir } },
      { id: 'zip', type: 'CompressContent', config: { format: 'gzip', level: 1 }, autoTerminate: ['failure'] },
      { id: 'put', type: 'PutFile', config: { directory: outDir }, autoTerminate: ['success', 'failure'] },
    ],
    connections: [
      { id: 'c1', source: 'get', relationships: ['success'], target: 'zip' },
      { id: 'c2', source: 'zip', relationships: ['success'], target: 'put' },
    ],
  });
  const engine = runEngine(flow, nats.url, ['--until-idle', '--timeout', '60s']);
  engines.push(engine);
  const { code } = await engine.exited;
  expect(code, engine.stderr().slice(-2000)).toBe(0);
  expect(finalStatus(engine).processors.put.bytesIn).toBeGreaterThan(25 * 1024 * 1024);

  expect(await readdir(outDir)).toEqual(['big.bin.gz']);
  const written = await readFile(path.join(outDir, 'big.bin.gz'));
  expect(written.equals(gzipSync(input, { level: 1 }))).toBe(true);
  expect(gunzipSync(written).equals(input)).toBe(true);

  const link = await NatsLink.open(nats.url);
  const os = await link.js.views.os(contentBucket('large'));
  expect(await os.list()).toEqual([]);
  await link.close();
}, 90_000);
