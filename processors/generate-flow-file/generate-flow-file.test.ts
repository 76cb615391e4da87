import { describe, expect, test } from 'vitest';
import { configIssues, failingAfterTrigger, processorRunner } from '../../sdk/testing';
import GenerateFlowFile from '.';

describe('GenerateFlowFile', () => {
  test('creates batchSize FlowFiles of text with attributes and a sequence number, each with CREATE', async () => {
    const run = processorRunner(GenerateFlowFile, { content: 'hi', batchSize: 3, attributes: { kind: 'test' } });
    await run.trigger();
    const ffs = run.transferred('success');
    expect(ffs.map((f) => f.content.toString())).toEqual(['hi', 'hi', 'hi']);
    expect(ffs.map((f) => f.attributes['generate.index'])).toEqual(['0', '1', '2']);
    expect(ffs[0]!.attributes.kind).toBe('test');
    expect(run.provenance().filter((e) => e.type === 'CREATE')).toHaveLength(3);
  });

  test('random bytes of a size, different per FlowFile', async () => {
    const run = processorRunner(GenerateFlowFile, { randomSize: 1024, batchSize: 2 });
    await run.trigger();
    const [a, b] = run.transferred('success');
    expect(a!.size).toBe(1024);
    expect(a!.content.equals(b!.content)).toBe(false);
  });

  test('stops after count in total, across triggers; empty content by default', async () => {
    const run = processorRunner(GenerateFlowFile, { batchSize: 4, count: 10 });
    for (let i = 0; i < 5; i++) await run.trigger();
    const ffs = run.transferred('success');
    expect(ffs).toHaveLength(10);
    expect(ffs.every((f) => f.size === 0)).toBe(true);
    expect(ffs.at(-1)!.attributes['generate.index']).toBe('9');
  });

  test('config is validated', () => {
    expect(configIssues(GenerateFlowFile, { batchSize: 0, attributes: { a: 1 } }).map((i) => i.path)).toEqual([
      '/attributes/a',
      '/batchSize',
    ]);
  });
  test('a rolled-back session gives its indexes back: count FlowFiles are still made, each index once', async () => {
    let failures = 1;
    const run = processorRunner(
      failingAfterTrigger(GenerateFlowFile, () => failures-- > 0),
      { batchSize: 3, count: 5 },
    );
    await expect(run.trigger()).rejects.toThrow('injected failure');
    for (let i = 0; i < 4; i++) await run.trigger();
    const made = run.transferred('success').map((ff) => ff.attributes['generate.index']);
    expect(made.sort()).toEqual(['0', '1', '2', '3', '4']);
  });

  test('a restart goes on from the committed index: none repeats, none is skipped, count is a total', async () => {
    const indexes = (run: { transferred(r: string): { attributes: Record<string, string> }[] }) =>
      run.transferred('success').map((ff) => ff.attributes['generate.index']);
    const before = processorRunner(GenerateFlowFile, { batchSize: 3, count: 10 });
    await before.trigger();
    await before.trigger();
    expect(indexes(before)).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(before.savedState).toEqual({ nextIndex: '6' });

    const after = processorRunner(GenerateFlowFile, { batchSize: 3, count: 10 }, { state: before.savedState });
    for (let i = 0; i < 3; i++) await after.trigger();
    expect(indexes(after)).toEqual(['6', '7', '8', '9']);
    expect(after.savedState).toEqual({ nextIndex: '10' });
  });

  test('a session that rolls back leaves the persisted index as it was, and a restart then makes those indexes', async () => {
    let fail = false;
    const run = processorRunner(
      failingAfterTrigger(GenerateFlowFile, () => fail),
      { batchSize: 2 },
    );
    await run.trigger();
    fail = true;
    await expect(run.trigger()).rejects.toThrow('injected failure');
    expect(run.savedState).toEqual({ nextIndex: '2' });
    expect(run.transferred('success')).toHaveLength(2);

    const restarted = processorRunner(GenerateFlowFile, { batchSize: 2 }, { state: run.savedState });
    await restarted.trigger();
    expect(restarted.transferred('success').map((ff) => ff.attributes['generate.index'])).toEqual(['2', '3']);
  });

  test('overlapping sessions (concurrency > 1) take disjoint indexes and the state counts them all', async () => {
    const run = processorRunner(GenerateFlowFile, { batchSize: 3 });
    await Promise.all([run.trigger(), run.trigger(), run.trigger(), run.trigger()]);
    const made = run.transferred('success').map((ff) => Number(ff.attributes['generate.index']));
    expect(made.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(run.savedState).toEqual({ nextIndex: '12' });
  });

  test('a persisted index that is not a number stops the start instead of counting from 0', async () => {
    const run = processorRunner(GenerateFlowFile, {}, { state: { nextIndex: 'twelve' } });
    await expect(run.trigger()).rejects.toThrow('nextIndex = "twelve", not a non-negative integer');
  });
});
