import { afterEach, describe, expect, test, vi } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { waitFor } from '../../test/helpers/wait-for';
import { validateFlow } from '../validation/flow-validator';
import { FlowEngine } from './flow-engine';
import { newFlowFile } from './flowfile';
import { TAP_CONTENT_BYTES, TAP_MAX_PER_SECOND, TAP_RING_SIZE, TapRegistry } from './tap';

const registry = createRegistry();
const engines: FlowEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop()));
});

/** GenerateFlowFile as fast as it goes (`count` FlowFiles of `size` bytes) into a LogAttribute that logs nothing. */
function fastFlow(count: number, size: number) {
  const check = validateFlow(
    {
      schemaVersion: 1,
      id: 'tap',
      name: 'Tap',
      processors: [
        { id: 'gen', type: 'GenerateFlowFile', config: { batchSize: 1000, count, content: 'x'.repeat(size) } },
        { id: 'log', type: 'LogAttribute', config: { logLevel: 'none', batchSize: 1000 }, autoTerminate: ['success'] },
      ],
      connections: [
        {
          id: 'c',
          source: 'gen',
          relationships: ['success'],
          target: 'log',
          backPressure: { objects: 100_000 },
        },
      ],
    },
    registry,
  );
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  const engine = new FlowEngine(check.resolved, registry);
  engines.push(engine);
  return engine;
}

describe('a tap on a connection', () => {
  test('captures at most its per-second budget, counts the rest as skipped, and keeps a ring of the newest', () => {
    const taps = new TapRegistry();
    taps.watch('c', 0);
    const ffs = Array.from({ length: 1000 }, (_, i) => newFlowFile(`ff ${i}`));
    taps.capture('c', ffs, 0);
    let tap = taps.get('c')!.snapshot();
    expect(tap.entries).toHaveLength(TAP_MAX_PER_SECOND);
    expect(tap.skipped).toBe(1000 - TAP_MAX_PER_SECOND);
    // A new second: a new budget; the ring keeps the newest TAP_RING_SIZE, newest first.
    for (let s = 1; s <= 5; s++) taps.capture('c', ffs.slice(s * 100, s * 100 + 60), s * 1000);
    tap = taps.get('c')!.snapshot();
    expect(tap.entries).toHaveLength(TAP_RING_SIZE);
    expect(tap.entries[0]!.flowFileId).toBe(ffs[5 * 100 + TAP_MAX_PER_SECOND - 1]!.id);
    expect(tap.entries.map((e) => e.seq)).toEqual([...tap.entries.map((e) => e.seq)].sort((a, b) => b - a));
    expect(tap.seen).toBe(1000 + 5 * 60);
  });

  test("keeps a bounded copy of the content, not the FlowFile's buffer", () => {
    const taps = new TapRegistry();
    taps.watch('c', 0);
    const big = newFlowFile(Buffer.alloc(1024 * 1024, 7));
    taps.capture('c', [big], 0);
    const entry = taps.get('c')!.snapshot().entries[0]!;
    expect(entry.size).toBe(1024 * 1024);
    expect(entry.content.length).toBe(TAP_CONTENT_BYTES);
    expect(entry.content.buffer.byteLength).toBeLessThanOrEqual(TAP_CONTENT_BYTES);
  });

  test('ends when nobody asked for it within the idle time; touching keeps it', () => {
    const taps = new TapRegistry({ idleMs: 30_000 });
    const ended: string[] = [];
    taps.listen((id, _entry, end) => end && ended.push(id));
    taps.watch('a', 0);
    taps.watch('b', 0);
    taps.touch(['b'], 20_000);
    taps.expire(30_000);
    expect(taps.watched()).toEqual(['b']);
    expect(ended).toEqual(['a']);
    taps.expire(50_000);
    expect(taps.active).toBe(false);
  });

  test('a watched connection under full load stays bounded: ring length and kept bytes, however many pass', async () => {
    const count = 100_000;
    const engine = fastFlow(count, 2048);
    const tap = engine.taps.watch('c');
    const started = Date.now();
    await engine.start();
    await waitFor(() => tap.seen === count, `${count} FlowFiles through the watched connection`, 60_000);
    const seconds = (Date.now() - started) / 1000;
    const snapshot = tap.snapshot();
    expect(tap.size).toBeLessThanOrEqual(TAP_RING_SIZE);
    expect(snapshot.entries.length).toBeLessThanOrEqual(TAP_RING_SIZE);
    expect(snapshot.entries.length + snapshot.skipped).toBeLessThanOrEqual(count);
    // Every FlowFile is either in the ring, pushed out of it, or skipped: captured ones stay within the budget.
    const captured = snapshot.seen - snapshot.skipped;
    expect(captured).toBeLessThanOrEqual(TAP_MAX_PER_SECOND * (Math.ceil(seconds) + 1));
    // Content kept: one bounded copy per entry, never the FlowFile's own buffer.
    const kept = snapshot.entries.reduce((n, e) => n + e.content.length, 0);
    expect(kept).toBeLessThanOrEqual(TAP_RING_SIZE * Math.min(2048, TAP_CONTENT_BYTES));
    console.info(`tap: ${count} FlowFiles watched in ${seconds.toFixed(2)} s (${Math.round(count / seconds)}/s)`);
  }, 90_000);

  test('an unwatched flow records nothing and the commit path never reaches the tap', async () => {
    const engine = fastFlow(20_000, 16);
    const capture = vi.spyOn(engine.taps, 'capture');
    await engine.start();
    await waitFor(() => engine.isIdle(), 'the flow to finish', 30_000);
    expect(engine.processor('log').stats.counters.in).toBe(20_000);
    expect(capture).not.toHaveBeenCalled();
    expect(engine.taps.active).toBe(false);
    expect(engine.taps.get('c')).toBeUndefined();
  });

  test('a connection that goes away with a new definition loses its tap', async () => {
    const engine = fastFlow(0, 0);
    engine.taps.watch('c');
    const next = validateFlow(
      {
        schemaVersion: 1,
        id: 'tap',
        name: 'Tap',
        processors: [{ id: 'gen', type: 'GenerateFlowFile', config: {}, autoTerminate: ['success'] }],
        connections: [],
      },
      registry,
    );
    if (!next.ok) throw new Error(JSON.stringify(next.issues));
    await engine.apply(next.resolved);
    expect(engine.taps.active).toBe(false);
  });
});
