import { describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { silentLogger } from '../engine/flow-engine';
import { MemoryProvenanceStore } from '../storage/memory-provenance-store';
import { ConflictError, FlowManager, FlowValidationError, NotFoundError } from './flow-manager';

const manager = () =>
  new FlowManager({ registry: createRegistry(), provenance: new MemoryProvenanceStore(), logger: silentLogger });

const flow = (name = 'Pipe') => ({
  schemaVersion: 1,
  id: 'pipe',
  name,
  processors: [
    { id: 'gen', type: 'GenerateFlowFile', config: { count: 0 }, schedule: { period: '10ms' } },
    { id: 'log', type: 'LogAttribute', config: { logLevel: 'none' }, autoTerminate: ['success'] },
  ],
  connections: [{ id: 'c', source: 'gen', relationships: ['success'], target: 'log' }],
});

describe('FlowManager', () => {
  test('changes to one flow apply in call order, even when issued at once', async () => {
    const m = manager();
    await m.create(flow());
    const changes: string[] = [];
    m.onChange((c) => changes.push(c.action));
    await Promise.all([
      m.start('pipe'),
      m.replace('pipe', flow('Second')),
      m.stopProcessor('pipe', 'log'),
      m.stop('pipe'),
      m.start('pipe'),
      m.replace('pipe', flow('Third')),
    ]);
    expect(changes).toEqual(['started', 'updated', 'processor-stopped', 'stopped', 'started', 'updated']);
    const status = m.status('pipe');
    expect(status.state).toBe('running');
    expect(status.processors.log!.state).toBe('stopped');
    expect((m.get('pipe') as { name: string }).name).toBe('Third');
    await m.close();
  });

  test('errors are typed: invalid input, unknown ids, conflicts', async () => {
    const m = manager();
    await expect(m.create({ schemaVersion: 1 })).rejects.toBeInstanceOf(FlowValidationError);
    await expect(m.start('nope')).rejects.toBeInstanceOf(NotFoundError);
    await m.create(flow());
    await expect(m.create(flow())).rejects.toBeInstanceOf(ConflictError);
    await expect(m.startProcessor('pipe', 'gen')).rejects.toBeInstanceOf(ConflictError); // flow stopped
    expect(() => m.listQueue('pipe', 'nope', 10)).toThrow(NotFoundError);
    await expect(m.load()).rejects.toThrow(/needs a store/);
  });
});
