import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { loadFlowFile } from '../flow-loader';
import { validateFlow } from './flow-validator';

const fixtures = path.resolve(import.meta.dirname, '../../test/fixtures/invalid-flows');
const expected: Record<string, [string, string][]> = JSON.parse(
  readFileSync(path.join(fixtures, 'expected.json'), 'utf8'),
);
const registry = createRegistry();

describe('invalid flow fixtures', () => {
  const files = readdirSync(fixtures).filter((f) => f.endsWith('.json') && f !== 'expected.json');

  test('every fixture has its expected errors listed', () => {
    expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(Object.keys(expected).sort());
  });

  test.each(files)('%s is rejected with path-named errors', async (file) => {
    const check = await loadFlowFile(path.join(fixtures, file), registry);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    for (const [errorPath, message] of expected[file.replace(/\.json$/, '')]!) {
      expect(check.issues).toContainEqual(
        expect.objectContaining({ path: errorPath, message: expect.stringContaining(message) }),
      );
    }
  });
});

describe('valid flows', () => {
  const examples = path.resolve(import.meta.dirname, '../../flows/examples');

  test.each(readdirSync(examples).filter((f) => f.endsWith('.json')))('example %s validates', async (file) => {
    const check = await loadFlowFile(path.join(examples, file), registry);
    expect(check.ok ? [] : check.issues).toEqual([]);
  });

  test('defaults are applied to the resolved copy, not to the flow as given', () => {
    const flow = {
      schemaVersion: 1,
      id: 'f',
      name: 'F',
      processors: [
        { id: 'gen', type: 'GenerateFlowFile' },
        { id: 'log', type: 'LogAttribute', autoTerminate: ['success'] },
      ],
      connections: [{ id: 'c', source: 'gen', relationships: ['success'], target: 'log' }],
    };
    const check = validateFlow(flow, registry);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.flow).toEqual(flow);
    expect(check.flow.connections[0]).not.toHaveProperty('backPressure');
    expect(check.resolved.connections[0]!.backPressure).toEqual({ objects: 10000, bytes: '1 GB' });
    expect(check.resolved.connections[0]!.expiration).toBe('0s');
    expect(check.resolved.processors[0]!.schedule).toEqual({
      period: '0s',
      concurrency: 1,
      penalty: '30s',
      yield: '1s',
      timeout: '5m',
      quarantineAfter: 3,
    });
    expect(check.resolved.processors[0]!.config).toMatchObject({ batchSize: 1, count: 0, content: '' });
  });

  test('a retry loop (a cycle) is allowed', () => {
    const flow = {
      schemaVersion: 1,
      id: 'loop',
      name: 'Loop',
      processors: [
        { id: 'gen', type: 'GenerateFlowFile' },
        { id: 'tag', type: 'UpdateAttribute', autoTerminate: ['success'] },
      ],
      connections: [
        { id: 'in', source: 'gen', relationships: ['success'], target: 'tag' },
        { id: 'retry', source: 'tag', relationships: ['failure'], target: 'tag' },
      ],
    };
    expect(validateFlow(flow, registry)).toMatchObject({ ok: true });
  });

  test('directories outside the allowed roots are rejected', () => {
    const flow = {
      schemaVersion: 1,
      id: 'files',
      name: 'Files',
      processors: [{ id: 'get', type: 'GetFile', config: { directory: '/etc' }, autoTerminate: ['success'] }],
      connections: [],
    };
    const check = validateFlow(flow, registry, { allowedDirs: ['/tmp/sluice-allowed'] });
    expect(check).toMatchObject({ ok: false, issues: [{ path: '/processors/0/config/directory' }] });
  });
});
