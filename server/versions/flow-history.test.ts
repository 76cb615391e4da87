import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { FlowStore } from '../storage/flow-store';
import { FlowHistory, VersionNotFoundError } from './flow-history';
import { withSaveContext } from './save-context';
import { VersionedFlowStore } from './versioned-flow-store';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tempDir() {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-versions-'));
  dirs.push(dir);
  return dir;
}

const flow = (batchSize = 20) => ({
  schemaVersion: 2,
  name: 'Orders',
  id: 'orders',
  processors: [{ type: 'GenerateFlowFile', id: 'gen', config: { content: 'hi', batchSize } }],
  connections: [],
});

const gitLog = (dir: string) =>
  execFileSync('git', ['-C', dir, 'log', '--format=%an|%s'], { encoding: 'utf8', env: { PATH: process.env.PATH } })
    .trim()
    .split('\n');

describe('FlowHistory', () => {
  test('each save is a commit with author and message; unchanged content makes none', async () => {
    const dir = path.join(await tempDir(), 'versions');
    const history = new FlowHistory(dir);
    await history.record('orders', flow());
    await withSaveContext({ author: 'ada', message: 'Bigger batches' }, () => history.record('orders', flow(50)));
    await history.record('orders', { ...flow(50) }); // same content, other key order below
    const reordered = Object.fromEntries(Object.entries(flow(50)).reverse());
    await history.record('orders', reordered);
    const versions = await history.list('orders');
    expect(versions.map((v) => [v.author, v.message])).toEqual([
      ['ada', 'Bigger batches'],
      ['sluice', 'Save Orders'],
    ]);
    expect(versions[0]!.id).toMatch(/^[0-9a-f]{40}$/);
    expect(Number.isNaN(Date.parse(versions[0]!.time))).toBe(false);
    expect(gitLog(dir)).toEqual(['ada|Bigger batches', 'sluice|Save Orders']);
    // Stable key order: sorted recursively, arrays in order.
    const text = await readFile(path.join(dir, 'flows/orders.json'), 'utf8');
    expect(text).toBe(
      `${JSON.stringify(
        {
          connections: [],
          id: 'orders',
          name: 'Orders',
          processors: [{ config: { batchSize: 50, content: 'hi' }, id: 'gen', type: 'GenerateFlowFile' }],
          schemaVersion: 2,
        },
        null,
        2,
      )}\n`,
    );
    expect((await history.show('orders', versions[1]!.id.slice(0, 8))).flow).toEqual(flow(20));
    expect(await history.list('orders', { limit: 1, skip: 1 })).toEqual([versions[1]]);
  });

  test('a removed flow keeps its history; unknown versions are not found', async () => {
    const history = new FlowHistory(path.join(await tempDir(), 'versions'));
    await history.record('orders', flow());
    await history.recordRemoval('orders');
    const versions = await history.list('orders');
    expect(versions.map((v) => v.message)).toEqual(['Remove Orders', 'Save Orders']);
    expect((await history.show('orders', versions[1]!.id)).flow).toEqual(flow());
    await expect(history.show('orders', versions[0]!.id)).rejects.toThrow(/did not exist at version/);
    await expect(history.show('orders', 'deadbeef')).rejects.toThrow(VersionNotFoundError);
    await expect(history.show('orders', '--all')).rejects.toThrow(/is not a version/);
    expect(await history.current('orders')).toBeUndefined();
    expect(await history.list('other')).toEqual([]);
  });

  test('an encrypted value encrypted again to other text but the same secret is no change', async () => {
    const history = new FlowHistory(path.join(await tempDir(), 'versions'), {
      sameSecret: (a, b) => a.slice(0, 3) === b.slice(0, 3),
    });
    const withSecret = (value: string) => ({
      ...flow(),
      parameterContexts: [{ id: 'p', parameters: [{ name: 'pw', sensitive: true, value }] }],
    });
    await history.record('orders', withSecret('abc-1'));
    await history.record('orders', withSecret('abc-2'));
    expect(await history.list('orders')).toHaveLength(1);
    await history.record('orders', withSecret('xyz-3'));
    expect(await history.list('orders')).toHaveLength(2);
  });
});

describe('VersionedFlowStore', () => {
  test('every save and removal through the store is a version, committed before save returns', async () => {
    const data = await tempDir();
    const history = new FlowHistory(path.join(data, 'versions'));
    const store = new VersionedFlowStore(new FlowStore(data), history);
    await store.open();
    await store.save('orders', flow());
    expect((await history.list('orders')).length).toBe(1);
    await store.remove('orders');
    expect((await history.list('orders')).map((v) => v.message)).toEqual(['Remove Orders', 'Save Orders']);
  });

  test('flows changed while no version was kept are recorded when the store opens', async () => {
    const data = await tempDir();
    const plain = new FlowStore(data);
    await plain.open();
    await plain.save('orders', flow());
    const history = new FlowHistory(path.join(data, 'versions'));
    await new VersionedFlowStore(new FlowStore(data), history).open();
    expect((await history.list('orders')).map((v) => v.message)).toEqual(['Flows as found at startup']);
  });

  test('git missing or failing never loses the save: a warning, and the flow file is written', async () => {
    const data = await tempDir();
    const warnings: string[] = [];
    const logger = { warn: (_o: object, m?: string) => warnings.push(m ?? ''), info() {}, error() {}, debug() {} };
    const history = new FlowHistory(path.join(data, 'versions'), { git: path.join(data, 'no-such-git') });
    const store = new VersionedFlowStore(new FlowStore(data), history, logger as never);
    await store.open();
    await store.save('orders', flow(7));
    expect(JSON.parse(await readFile(path.join(data, 'flows/orders.json'), 'utf8'))).toEqual(flow(7));
    expect(warnings).toEqual([
      'cannot open the versions repository: git is not installed (flow versions are not kept)',
      'cannot record a version of the flow',
    ]);
    // A failing git (exits non-zero): same.
    const failing = new FlowHistory(path.join(data, 'versions2'), { git: 'false' });
    const store2 = new VersionedFlowStore(new FlowStore(data), failing, logger as never);
    await store2.open();
    await store2.save('orders', flow(8));
    expect(JSON.parse(await readFile(path.join(data, 'flows/orders.json'), 'utf8'))).toEqual(flow(8));
    expect(warnings.at(-1)).toBe('cannot record a version of the flow');
  });
});
