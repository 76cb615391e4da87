import { describe, expect, test } from 'vitest';
import { failingAfterTrigger, processorRunner } from '../../sdk/testing';
import ControlRate from '.';

describe('ControlRate', () => {
  test('passes at most maxRate FlowFiles per period; the rest stay queued; the next period passes more', async () => {
    const run = processorRunner(ControlRate, { maxRate: 3, timePeriod: '100ms' });
    for (let i = 0; i < 5; i++) run.enqueue(String(i));
    await run.trigger();
    const second = await run.trigger();
    expect(second.yielded).toBe(true);
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual(['0', '1', '2']);
    expect(run.input.depth().count).toBe(2);
    await new Promise((r) => setTimeout(r, 120));
    await run.trigger();
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual(['0', '1', '2', '3', '4']);
  });

  test('bytes: passes while the content fits, keeps order, and lets one oversized FlowFile through alone', async () => {
    const run = processorRunner(ControlRate, { rateControl: 'bytes', maxRate: 10, timePeriod: '1 h' });
    run.enqueue('aaaa');
    run.enqueue('bbbb');
    run.enqueue('cccc');
    run.enqueue('');
    const first = await run.trigger();
    expect(first.yielded).toBe(true);
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual(['aaaa', 'bbbb']);
    expect(run.input.take(10, Date.now()).map((f) => f.content.toString())).toEqual(['cccc', '']);

    const big = processorRunner(ControlRate, { rateControl: 'bytes', maxRate: 10, timePeriod: '1 h' });
    big.enqueue('x'.repeat(50));
    big.enqueue('y');
    await big.trigger();
    expect(big.transferred('success').map((f) => f.size)).toEqual([50]);
    expect(big.input.depth().count).toBe(1);
  });

  test('empty input does nothing and keeps the budget', async () => {
    const run = processorRunner(ControlRate, { maxRate: 1, timePeriod: '1 h' });
    await run.trigger();
    run.enqueue('late');
    await run.trigger();
    expect(run.transferred('success')).toHaveLength(1);
  });

  test('a restart within the period goes on with its budget: it does not pass a second maxRate', async () => {
    const before = processorRunner(ControlRate, { maxRate: 3, timePeriod: '1 h' });
    for (let i = 0; i < 2; i++) before.enqueue(String(i));
    await before.trigger();
    expect(before.transferred('success')).toHaveLength(2);
    expect(before.savedState).toMatchObject({ used: '2' });

    const after = processorRunner(ControlRate, { maxRate: 3, timePeriod: '1 h' }, { state: before.savedState });
    for (let i = 2; i < 6; i++) after.enqueue(String(i));
    await after.trigger();
    const second = await after.trigger();
    expect(second.yielded).toBe(true);
    expect(after.transferred('success').map((f) => f.content.toString())).toEqual(['2']);
    expect(after.input.depth().count).toBe(3);
  });

  test('a restart after the period passed starts a new budget', async () => {
    const state = { periodStart: String(Date.now() - 2 * 3600_000), used: '3' };
    const run = processorRunner(ControlRate, { maxRate: 3, timePeriod: '1 h' }, { state });
    for (let i = 0; i < 4; i++) run.enqueue(String(i));
    await run.trigger();
    expect(run.transferred('success')).toHaveLength(3);
    expect(run.savedState).toMatchObject({ used: '3' });
    expect(Number(run.savedState!.periodStart)).toBeGreaterThan(Number(state.periodStart));
  });

  test('a session that rolls back uses none of the budget, in memory or in the persisted state', async () => {
    let fail = true;
    const run = processorRunner(
      failingAfterTrigger(ControlRate, () => fail),
      { maxRate: 2, timePeriod: '1 h' },
    );
    run.enqueue('a');
    run.enqueue('b');
    await expect(run.trigger()).rejects.toThrow('injected failure');
    expect(run.savedState).toBeUndefined();
    fail = false;
    await run.trigger();
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual(['a', 'b']);
    expect(run.savedState).toMatchObject({ used: '2' });
  });

  test('overlapping sessions (concurrency > 1) share one budget: no more than maxRate passes', async () => {
    const run = processorRunner(ControlRate, { maxRate: 5, batchSize: 3, timePeriod: '1 h' });
    for (let i = 0; i < 12; i++) run.enqueue(String(i));
    await Promise.all([run.trigger(), run.trigger(), run.trigger(), run.trigger()]);
    expect(run.transferred('success')).toHaveLength(5);
    expect(run.input.depth().count).toBe(7);
    expect(run.savedState).toMatchObject({ used: '5' });
  });

  test('a persisted state that is not a budget stops the start', async () => {
    const run = processorRunner(ControlRate, {}, { state: { periodStart: 'soon', used: '1' } });
    await expect(run.trigger()).rejects.toThrow('not a rate budget: periodStart = "soon"');
  });
});
