import { describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { validateFlow } from '../validation/flow-validator';
import { FlowEngine } from './flow-engine';

const registry = createRegistry();

function stoppedEngine(objects: number) {
  const check = validateFlow(
    {
      schemaVersion: 1,
      id: 'inj',
      name: 'Inject',
      processors: [
        { id: 'gen', type: 'GenerateFlowFile', config: {} },
        { id: 'log', type: 'LogAttribute', config: {}, autoTerminate: ['success'] },
      ],
      connections: [{ id: 'c', source: 'gen', relationships: ['success'], target: 'log', backPressure: { objects } }],
    },
    registry,
  );
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  return new FlowEngine(check.resolved, registry);
}

describe('inject', () => {
  test('puts one FlowFile into a stopped flow\'s queue, recorded as RECEIVE from the user, "injected"', async () => {
    const engine = stoppedEngine(10);
    const ff = await engine.inject('c', { content: 'hello', attributes: { k: 'v' }, user: 'alice' });
    expect(engine.connection('c').queue.depth().count).toBe(1);
    const queued = await engine.queuedFlowFile('c', ff.id);
    expect(queued?.content.toString()).toBe('hello');
    expect(queued?.attributes.k).toBe('v');
    const events = await engine.provenance.query({ flowFileId: ff.id });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'RECEIVE',
      componentId: 'c',
      componentType: 'Connection',
      transitUri: 'sluice://user/alice',
      details: 'injected',
      contentSize: 5,
    });
  });

  test('anonymous without a user; allowed into a full queue (one FlowFile from a person)', async () => {
    const engine = stoppedEngine(1);
    await engine.inject('c', { content: 'a', user: null });
    expect(engine.connection('c').isFull()).toBe(true);
    const second = await engine.inject('c', { content: 'b', user: null });
    expect(engine.connection('c').queue.depth().count).toBe(2);
    const [event] = await engine.provenance.query({ flowFileId: second.id });
    expect(event?.transitUri).toBe('sluice://user/anonymous');
  });

  test('an unknown connection is refused naming it, and nothing is recorded', async () => {
    const engine = stoppedEngine(10);
    await expect(engine.inject('nope', { content: 'x', user: null })).rejects.toThrow(/no connection "nope"/);
    expect(await engine.provenance.query({})).toHaveLength(0);
  });

  test('a watched connection shows the injected FlowFile', async () => {
    const engine = stoppedEngine(10);
    const tap = engine.taps.watch('c');
    const ff = await engine.inject('c', { content: 'x', user: null });
    expect(tap.snapshot().entries.map((e) => e.flowFileId)).toEqual([ff.id]);
  });
});
