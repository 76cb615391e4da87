/**
 * In-process windows as persisted state: a restart (a new runner given the state the last one committed,
 * as after a crash) carries open windows on, and a rolled-back session leaves the state as it was.
 */
import { describe, expect, test } from 'vitest';
import { failingAfterTrigger, processorRunner } from '../../sdk/testing';
import WindowAggregate from '.';

const T0 = Date.UTC(2024, 0, 1);
const at = (seconds: number) => String(T0 + seconds * 1000);
const json = (ff: { content: Buffer }) => JSON.parse(ff.content.toString());
const sum = { total: { op: 'sum', value: '$number(attributes.n)' } };

/** The same processor, whose trigger runs its onStop (the last session of a processor that stops). */
const Stopping = { ...WindowAggregate, onTrigger: WindowAggregate.onStop! };

describe('WindowAggregate in-process state', () => {
  test('a restart restores open windows: the result counts and joins inputs from before and after it', async () => {
    const config = { size: '10s', aggregations: sum };
    const first = processorRunner(WindowAggregate, config);
    const before = [
      first.enqueue('', { 'event.time': at(1), n: '1' }),
      first.enqueue('', { 'event.time': at(2), n: '2' }),
    ];
    await first.trigger();
    expect(first.transferred('success')).toHaveLength(0);
    expect(first.provenance().filter((e) => e.type === 'DROP')).toHaveLength(2); // consumed, kept as state

    const second = processorRunner(WindowAggregate, config, { state: first.savedState });
    const after = second.enqueue('', { 'event.time': at(3), n: '3' });
    second.enqueue('', { 'event.time': at(15), n: '10' });
    await second.trigger();
    const [result, ...more] = second.transferred('success');
    expect(more).toHaveLength(0);
    expect(json(result!)).toMatchObject({ count: 3, total: 6, start: '2024-01-01T00:00:00.000Z' });
    expect(result!.attributes['window.pane.timing']).toBe('on-time');
    const join = second.provenance().find((e) => e.type === 'JOIN' && e.flowFileId === result!.id);
    expect(join!.parentIds).toEqual([...before, after].map((f) => f.id));
  });

  test('the watermark survives a restart: an event behind it is late, not a new window', async () => {
    const first = processorRunner(WindowAggregate, { size: '10s' });
    first.enqueue('', { 'event.time': at(25) });
    await first.trigger();
    const second = processorRunner(WindowAggregate, { size: '10s' }, { state: first.savedState });
    second.enqueue('', { 'event.time': at(5) });
    await second.trigger();
    expect(second.transferred('late')).toHaveLength(1);
    expect(second.transferred('success')).toHaveLength(0);
  });

  test('a session that rolls back leaves the persisted windows as they were', async () => {
    let fail = false;
    const run = processorRunner(
      failingAfterTrigger(WindowAggregate, () => fail),
      { size: '10s', aggregations: sum },
    );
    run.enqueue('', { 'event.time': at(1), n: '1' });
    await run.trigger();
    const committed = run.savedState;
    fail = true;
    run.enqueue('', { 'event.time': at(2), n: '2' });
    run.enqueue('', { 'event.time': at(12), n: '5' });
    await expect(run.trigger()).rejects.toThrow('injected failure');
    expect(run.savedState).toEqual(committed);
    expect(run.transferred('success')).toHaveLength(0);

    const restarted = processorRunner(WindowAggregate, { size: '10s', aggregations: sum }, { state: committed });
    restarted.enqueue('', { 'event.time': at(15), n: '9' });
    await restarted.trigger();
    expect(restarted.transferred('success').map(json)).toMatchObject([{ count: 1, total: 1 }]);
  });

  test('stopping emits the open windows and leaves them out of the state: a restart does not emit them again', async () => {
    const first = processorRunner(WindowAggregate, { size: '10s' });
    first.enqueue('', { 'event.time': at(1) });
    await first.trigger();
    const stopping = processorRunner(Stopping, { size: '10s' }, { state: first.savedState });
    await stopping.trigger();
    expect(stopping.transferred('success').map((f) => f.attributes['window.pane.timing'])).toEqual(['early']);

    const restarted = processorRunner(WindowAggregate, { size: '10s' }, { state: stopping.savedState });
    restarted.enqueue('', { 'event.time': at(2) });
    restarted.enqueue('', { 'event.time': at(15) });
    await restarted.trigger();
    expect(restarted.transferred('success').map((f) => json(f).count)).toEqual([1]);
  });

  test('input references are kept in chunks: a session rewrites the last one, and all come back after a restart', async () => {
    const config = { size: '10s', batchSize: 5000 };
    const first = processorRunner(WindowAggregate, config);
    for (let i = 0; i < 1500; i++) first.enqueue('', { 'event.time': at(1) });
    await first.trigger();
    const chunks = Object.keys(first.savedState!).filter((k) => k.startsWith('p.'));
    expect(chunks.sort()).toEqual(['p.1.0', 'p.1.1']);
    const firstChunk = first.savedState!['p.1.0'];
    first.enqueue('', { 'event.time': at(2) });
    await first.trigger();
    expect(first.savedState!['p.1.0']).toBe(firstChunk);

    const second = processorRunner(WindowAggregate, config, { state: first.savedState });
    second.enqueue('', { 'event.time': at(11) });
    await second.trigger();
    const [result] = second.transferred('success');
    expect(json(result!).count).toBe(1501);
    const join = second.provenance().find((e) => e.type === 'JOIN' && e.flowFileId === result!.id);
    expect(new Set(join!.parentIds).size).toBe(1501);
    // The closed window is gone from the state, references and all.
    expect(Object.keys(second.savedState!).filter((k) => k.startsWith('w.1') || k.startsWith('p.1.'))).toEqual([]);
  });

  test('windows kept under other settings are emitted once as early panes with those settings, then dropped', async () => {
    const first = processorRunner(WindowAggregate, { size: '10s', aggregations: sum });
    first.enqueue('', { 'event.time': at(1), n: '4' });
    await first.trigger();

    const changed = { size: '20s', aggregations: { biggest: { op: 'max', value: '$number(attributes.n)' } } };
    const second = processorRunner(WindowAggregate, changed, { state: first.savedState });
    second.enqueue('', { 'event.time': at(3), n: '7' });
    await second.trigger();
    const [old] = second.transferred('success');
    expect(old!.attributes).toMatchObject({ 'window.pane.timing': 'early', 'window.end': '2024-01-01T00:00:10.000Z' });
    expect(json(old!)).toMatchObject({ count: 1, total: 4 });

    const third = processorRunner(WindowAggregate, changed, { state: second.savedState });
    third.enqueue('', { 'event.time': at(25), n: '1' });
    await third.trigger();
    expect(third.transferred('success').map(json)).toMatchObject([
      { count: 1, biggest: 7, end: '2024-01-01T00:00:20.000Z' },
    ]);
  });

  test('overlapping sessions (concurrency > 1) each commit on the state of the one before: nothing is lost', async () => {
    const run = processorRunner(WindowAggregate, { size: '10s', batchSize: 2, aggregations: sum });
    for (let i = 1; i <= 8; i++) run.enqueue('', { 'event.time': at(i), n: String(i) });
    await Promise.all([run.trigger(), run.trigger(), run.trigger(), run.trigger()]);
    const restarted = processorRunner(WindowAggregate, { size: '10s', aggregations: sum }, { state: run.savedState });
    restarted.enqueue('', { 'event.time': at(20), n: '0' });
    await restarted.trigger();
    expect(restarted.transferred('success').map(json)).toMatchObject([{ count: 8, total: 36 }]);
  });

  test('a persisted window state it cannot read stops the start', async () => {
    const run = processorRunner(WindowAggregate, {}, { state: { spec: '{', meta: '{}' } });
    await expect(run.trigger()).rejects.toThrow('the persisted window state "spec" is not JSON');
  });
});
