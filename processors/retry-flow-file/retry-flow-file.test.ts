import { describe, expect, test } from 'vitest';
import { processorRunner } from '../../sdk/testing';
import RetryFlowFile from '.';

describe('RetryFlowFile', () => {
  test('counts retries up to maxRetries, then routes to retries_exceeded', async () => {
    const run = processorRunner(RetryFlowFile, { maxRetries: 2 });
    run.enqueue('payload');
    for (let i = 0; i < 3; i++) {
      await run.trigger();
      const back = run.outputs.get('retry')!.take(1, Date.now());
      run.outputs.get('retry')!.acknowledge(back);
      for (const ff of back) run.input.offer([ff]);
    }
    expect(run.transferred('retries_exceeded')).toHaveLength(1);
    expect(run.transferred('retries_exceeded')[0]!.attributes['flowfile.retries']).toBe('2');
    expect(
      run
        .provenance()
        .filter((e) => e.type === 'ROUTE')
        .map((e) => e.relationship),
    ).toEqual(['retry', 'retry', 'retries_exceeded']);
  });

  test('resetOnExceeded removes the counter; maxRetries 0 never retries; a custom attribute', async () => {
    const run = processorRunner(RetryFlowFile, { maxRetries: 0, resetOnExceeded: true, retryAttribute: 'tries' });
    run.enqueue('', { tries: '0' });
    await run.trigger();
    expect(run.transferred('retries_exceeded')[0]!.attributes.tries).toBeUndefined();
  });

  test('a counter that is not a non-negative integer goes to failure', async () => {
    const run = processorRunner(RetryFlowFile, {});
    for (const v of ['x', '-1', '1.5', '']) run.enqueue('', { 'flowfile.retries': v });
    await run.trigger();
    const failed = run.transferred('failure');
    expect(failed).toHaveLength(4);
    expect(failed[0]!.attributes['retry.error']).toBe(
      'attribute "flowfile.retries" is "x", not a non-negative integer',
    );
  });
});
