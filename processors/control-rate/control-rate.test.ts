import { describe, expect, test } from 'vitest';
import { processorRunner } from '../../server/testing/processor-runner';
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
});
