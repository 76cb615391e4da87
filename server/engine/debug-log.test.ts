import { describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { waitFor } from '../../test/helpers/wait-for';
import { validateFlow } from '../validation/flow-validator';
import { DebugLog } from './debug-log';
import { FlowEngine, silentLogger } from './flow-engine';

const source = (id: string) => ({ id, name: id.toUpperCase(), type: 'LogAttribute' });

describe('the debug log', () => {
  test('is a bounded ring, newest first, filterable by processor, and clears', () => {
    const log = new DebugLog(5);
    const heard: (number | undefined)[] = [];
    log.listen((e) => heard.push(e?.id));
    for (let i = 1; i <= 12; i++) log.post(source(i % 2 ? 'odd' : 'even'), { message: `line ${i}` }, i);
    expect(log.size).toBe(5);
    expect(log.entries().map((e) => e.message)).toEqual(['line 12', 'line 11', 'line 10', 'line 9', 'line 8']);
    expect(log.entries({ processorId: 'odd' }).map((e) => e.id)).toEqual([11, 9]);
    expect(log.entries({ limit: 2 }).map((e) => e.id)).toEqual([12, 11]);
    log.clear();
    expect(log.entries()).toEqual([]);
    log.post(source('odd'), { message: 'after' });
    expect(log.entries().map((e) => e.message)).toEqual(['after']);
    expect(heard.slice(-2)).toEqual([undefined, 13]);
  });

  test('cuts long text', () => {
    const log = new DebugLog();
    const e = log.post(source('p'), { message: 'm'.repeat(10_000), content: 'c'.repeat(10_000) });
    expect(e.message.length).toBeLessThan(5000);
    expect(e.content!.length).toBeLessThan(5000);
  });

  test("LogAttribute's lines reach its flow's debug log through ctx.debug; logLevel none posts none", async () => {
    const registry = createRegistry();
    const check = validateFlow(
      {
        schemaVersion: 1,
        id: 'dbg',
        name: 'Debug',
        processors: [
          { id: 'gen', type: 'GenerateFlowFile', config: { count: 3, content: 'hi', attributes: { k: 'v' } } },
          { id: 'log', type: 'LogAttribute', name: 'Log it', config: { logPayload: true }, autoTerminate: ['success'] },
          { id: 'quiet', type: 'LogAttribute', config: { logLevel: 'none' }, autoTerminate: ['success'] },
        ],
        connections: [
          { id: 'a', source: 'gen', relationships: ['success'], target: 'log' },
          { id: 'b', source: 'gen', relationships: ['success'], target: 'quiet' },
        ],
      },
      registry,
    );
    if (!check.ok) throw new Error(JSON.stringify(check.issues));
    const engine = new FlowEngine(check.resolved, registry, { logger: silentLogger });
    try {
      await engine.start();
      await waitFor(() => engine.processor('quiet').stats.counters.in === 3, 'both sinks to take 3 FlowFiles');
      await waitFor(() => engine.processor('log').stats.counters.in === 3, 'the logging sink to take 3');
      const entries = engine.debugLog.entries();
      expect(entries).toHaveLength(3);
      expect(entries.every((e) => e.processorId === 'log' && e.processorName === 'Log it')).toBe(true);
      expect(entries[0]).toMatchObject({ processorType: 'LogAttribute', content: 'hi', attributes: { k: 'v' } });
      expect(entries[0]!.message).toBe(`FlowFile ${entries[0]!.flowFileId}`);
    } finally {
      await engine.stop();
    }
  });
});
