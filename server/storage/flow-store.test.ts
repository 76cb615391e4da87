import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FlowStore, writeJsonAtomic } from './flow-store';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const flowV1 = { schemaVersion: 1, id: 'orders', name: 'Orders v1', processors: [], connections: [] };
const flowV2 = { ...flowV1, name: 'Orders v2' };

describe('FlowStore', () => {
  test('a fresh directory opens empty and says so; saved flows and state read back', async () => {
    const store = new FlowStore(dir);
    const first = await store.open();
    expect(first).toEqual({ flows: [], state: {}, fresh: true, problems: [] });
    await store.save('orders', flowV1);
    await store.saveState({ orders: { running: true, stoppedProcessors: ['log'] } });
    const again = await new FlowStore(dir).open();
    expect(again.fresh).toBe(false);
    expect(again.flows).toEqual([{ id: 'orders', json: flowV1 }]);
    expect(again.state).toEqual({ orders: { running: true, stoppedProcessors: ['log'] } });
  });

  test('a crash between write and rename leaves the old flow, and the leftover temp file is ignored', async () => {
    const store = new FlowStore(dir);
    await store.open();
    await store.save('orders', flowV1);
    // The process dies after the temp file is written but before it is renamed over the flow.
    const crashing = new FlowStore(dir, {
      beforeRename: () => {
        throw new Error('simulated crash');
      },
    });
    await expect(crashing.save('orders', flowV2)).rejects.toThrow('simulated crash');
    // A real crash leaves its temp file (possibly half-written) behind: put one there as it would be named.
    await writeFile(path.join(store.flowsDir, `.orders.json.${process.pid}.99.tmp`), '{"schemaVersion": 1, "id": "ord');
    const reopened = await new FlowStore(dir).open();
    expect(reopened.flows).toEqual([{ id: 'orders', json: flowV1 }]);
    expect(reopened.problems).toEqual([]);
    expect((await readdir(store.flowsDir)).sort()).toEqual(['orders.json']);
  });

  test('writeJsonAtomic replaces the whole file and leaves no temp file', async () => {
    const file = path.join(dir, 'x.json');
    await writeJsonAtomic(file, { a: 1 });
    await writeJsonAtomic(file, { b: 'two' });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ b: 'two' });
    expect(await readdir(dir)).toEqual(['x.json']);
  });

  test('concurrent saves of one flow land in call order', async () => {
    const store = new FlowStore(dir);
    await store.open();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.save('orders', { ...flowV1, name: `n${i}` })));
    const { flows } = await store.open();
    expect((flows[0]!.json as { name: string }).name).toBe('n19');
  });

  test('a corrupt flow file is reported and left in place; the others load', async () => {
    const store = new FlowStore(dir);
    await store.open();
    await store.save('good', { ...flowV1, id: 'good' });
    await writeFile(path.join(store.flowsDir, 'broken.json'), '{ not json');
    const opened = await new FlowStore(dir).open();
    expect(opened.flows.map((f) => f.id)).toEqual(['good']);
    expect(opened.problems).toHaveLength(1);
    expect(opened.problems[0]!.file).toMatch(/broken\.json$/);
    expect(await readFile(path.join(store.flowsDir, 'broken.json'), 'utf8')).toBe('{ not json');
  });

  test('remove deletes the file and the flow’s tests; removing a missing flow is not an error', async () => {
    const store = new FlowStore(dir);
    await store.open();
    await store.save('orders', flowV1);
    await writeFile(path.join(store.flowsDir, 'orders.test.json'), '{"cases": []}');
    await store.remove('orders');
    await expect(readFile(path.join(store.flowsDir, 'orders.test.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    await store.remove('orders');
    expect((await store.open()).flows).toEqual([]);
  });
});
