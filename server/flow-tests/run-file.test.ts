/** The runner on a small flow in a temp directory: mute, capture, taps, fixtures and bad references. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { runFlowTestFile } from './run-file';

const registry = createRegistry();
let dir: string;

const flow = {
  schemaVersion: 1,
  id: 'sizes',
  name: 'Sizes',
  processors: [
    { id: 'gen', type: 'GenerateFlowFile', config: { content: 'generated', count: 3 } },
    {
      id: 'route',
      type: 'RouteOnAttribute',
      config: { routes: { big: '$number(attributes.size) > 10' } },
      autoTerminate: ['failure'],
    },
    {
      id: 'put-big',
      type: 'UpdateAttribute',
      config: { attributes: { seen: '"yes"' } },
      autoTerminate: ['success', 'failure'],
    },
    {
      id: 'put-other',
      type: 'UpdateAttribute',
      config: { attributes: { seen: '"yes"' } },
      autoTerminate: ['success', 'failure'],
    },
  ],
  connections: [
    { id: 'gen-to-route', source: 'gen', relationships: ['success'], target: 'route' },
    { id: 'big', source: 'route', relationships: ['big'], target: 'put-big' },
    { id: 'other', source: 'route', relationships: ['unmatched'], target: 'put-other' },
  ],
};

async function testFile(name: string, tests: unknown): Promise<string> {
  const file = path.join(dir, `${name}.test.json`);
  await writeFile(file, JSON.stringify({ flow: 'sizes.json', ...(tests as object) }));
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-flow-tests-'));
  await writeFile(path.join(dir, 'sizes.json'), JSON.stringify(flow));
  await mkdir(path.join(dir, 'fixtures'));
  await writeFile(path.join(dir, 'fixtures/order.json'), '{"from":"fixture"}');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('runFlowTestFile', () => {
  test('a muted source does not run; injections and a fixture take its place; a captured sink does not run', async () => {
    const file = await testFile('muted', {
      cases: [
        {
          name: 'injected',
          mute: ['gen'],
          capture: ['put-big'],
          inject: [
            { at: 'route', content: 'a', attributes: { size: '42' } },
            { at: 'route', file: 'fixtures/order.json', attributes: { size: '99' } },
            { at: 'route', content: 'c', attributes: { size: '1' } },
          ],
          expect: [
            { at: 'gen:success', count: 0 },
            { at: 'put-big', count: 2, nth: 1, content: { json: { from: 'fixture' } } },
            { at: 'put-big:success', count: 0 },
            { at: 'route:unmatched', count: 1, attributes: { size: '1' } },
            { at: 'put-other:success', count: 1, attributes: { seen: 'yes' } },
          ],
        },
      ],
    });
    const result = await runFlowTestFile(file, { registry });
    expect(result.issues).toBeUndefined();
    expect(result.cases[0]).toMatchObject({ name: 'injected', passed: true, failures: [] });
  });

  test('an unmuted source runs; a wrong expectation fails with expected vs actual', async () => {
    const file = await testFile('generated', {
      cases: [
        { name: 'right', expect: [{ at: 'other', count: 3, content: { equals: 'generated' } }] },
        { name: 'wrong', expect: [{ at: 'put-other', count: 4 }] },
      ],
    });
    const result = await runFlowTestFile(file, { registry });
    expect(result.cases.map((c) => c.passed)).toEqual([true, false]);
    expect(result.cases[1]!.failures).toEqual([
      expect.objectContaining({ path: '/cases/1/expect/0/count', expected: '4', actual: '3' }),
    ]);
  });

  test('a failed case reports the bulletins processors posted while it ran', async () => {
    const file = await testFile('bulletins', {
      cases: [
        {
          name: 'not a number',
          mute: ['gen'],
          inject: [{ at: 'route', content: 'x', attributes: { size: 'twelve' } }],
          expect: [{ at: 'put-big', count: 1 }],
        },
      ],
    });
    const [result] = (await runFlowTestFile(file, { registry })).cases;
    expect(result!.passed).toBe(false);
    expect(result!.bulletins).toEqual([expect.stringMatching(/^route: /)]);
  });

  test('places the flow lacks and unreadable fixtures are issues with their JSON path; no case runs', async () => {
    const file = await testFile('bad', {
      cases: [
        {
          name: 'bad',
          mute: ['nope'],
          inject: [
            { at: 'gen', content: 'x' },
            { at: 'route', file: 'fixtures/missing.json' },
          ],
          expect: [{ at: 'route:huge', count: 1 }],
        },
      ],
    });
    const result = await runFlowTestFile(file, { registry });
    expect(result.cases).toEqual([]);
    expect(result.issues?.map((i) => i.path)).toEqual(['/cases/0/inject/1/file']);
    await writeFile(path.join(dir, 'fixtures/missing.json'), 'now here');
    const again = await runFlowTestFile(file, { registry });
    expect(again.issues?.map((i) => [i.path, i.message])).toEqual([
      ['/cases/0/mute/0', expect.stringContaining('no processor "nope" in flow "sizes"')],
      ['/cases/0/inject/0/at', expect.stringContaining('"gen" has no incoming connection')],
      ['/cases/0/expect/0/at', expect.stringContaining('"huge" is not a relationship of processor "route"')],
    ]);
  });
});
