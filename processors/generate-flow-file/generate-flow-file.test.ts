import { describe, expect, test } from 'vitest';
import { configIssues, failingAfterTrigger, processorRunner } from '../../server/testing/processor-runner';
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
});
