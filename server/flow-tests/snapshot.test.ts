/** The snapshot run behind "pin as a test": only the destination runs; per relationship what it sent; ids vary. */
import { describe, expect, test } from 'vitest';
import type { ResolvedFlow } from '../../flows/flow-schema';
import { createRegistry } from '../../processors/registry';
import { validateFlow } from '../validation/flow-validator';
import { checkSnapshotRequest, snapshotRun } from './snapshot';

const registry = createRegistry();

function resolved(region: string): ResolvedFlow {
  const check = validateFlow(
    {
      schemaVersion: 1,
      id: 'snap',
      name: 'Snap',
      processors: [
        { id: 'gen', type: 'GenerateFlowFile', config: { content: 'generated', count: 5 } },
        {
          id: 'tag',
          type: 'UpdateAttribute',
          config: { attributes: { region: JSON.stringify(region), stamp: '$string($millis())' } },
          autoTerminate: ['failure'],
        },
        { id: 'log', type: 'LogAttribute', config: { logLevel: 'none' }, autoTerminate: ['success'] },
      ],
      connections: [
        { id: 'gen-to-tag', source: 'gen', relationships: ['success'], target: 'tag' },
        { id: 'tag-to-log', source: 'tag', relationships: ['success'], target: 'log' },
      ],
    },
    registry,
  );
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  return check.resolved;
}

describe('snapshotRun', () => {
  test('records what the destination sent per relationship; the source and the sink do not run', async () => {
    const result = await snapshotRun(
      resolved('eu'),
      { at: 'gen-to-tag', inject: [{ content: '{"n":1}', attributes: { kind: 'order' } }] },
      { registry },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { answer } = result;
    expect(answer.destination).toBe('tag');
    expect(answer.mute).toEqual(['gen']);
    expect(answer.capture).toEqual(['log']);
    expect(answer.consistent).toBe(true);
    const byRelationship = Object.fromEntries(answer.outputs.map((o) => [o.place, o]));
    expect(Object.keys(byRelationship).sort()).toEqual(['tag:failure', 'tag:success']);
    expect(byRelationship['tag:failure']!.count).toBe(0);
    const success = byRelationship['tag:success']!;
    // One: the muted GenerateFlowFile (count 5) produced nothing.
    expect(success.count).toBe(1);
    const [ff] = success.flowFiles;
    expect(ff!.attributes).toMatchObject({ kind: 'order', region: 'eu' });
    expect(ff!.content).toBe('{"n":1}');
    expect(ff!.contentVaries).toBe(false);
    // Ids differ per run; the region does not.
    expect(ff!.varying).toEqual(expect.arrayContaining(['uuid', 'stamp']));
    expect(ff!.varying).not.toContain('region');
  }, 30_000);

  test('an unknown connection and a bad body are refused with their JSON paths', async () => {
    const unknown = await snapshotRun(resolved('eu'), { at: 'nope', inject: [{ content: '' }] }, { registry });
    expect(unknown).toEqual({ ok: false, issues: [{ path: '/at', message: 'no connection "nope" in flow "snap"' }] });
    const bad = checkSnapshotRequest({ at: 'gen-to-tag', inject: [{ content: 5 }] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0]!.path).toBe('/inject/0/content');
  });
});
