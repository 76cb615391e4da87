import { describe, expect, test } from 'vitest';
import { configIssues, failingAfterTrigger, processorRunner } from '../../server/testing/processor-runner';
import DetectDuplicate from '.';

describe('DetectDuplicate', () => {
  test('the first of each key passes; later ones, also within one batch, are duplicates naming the first', async () => {
    const run = processorRunner(DetectDuplicate, { key: 'content.orderId' });
    const a = run.enqueue('{"orderId":"A"}');
    run.enqueue('{"orderId":"B"}');
    run.enqueue('{"orderId":"A","retry":true}');
    await run.trigger();
    run.enqueue('{"orderId":"B"}');
    await run.trigger();
    expect(run.transferred('non-duplicate')).toHaveLength(2);
    const dups = run.transferred('duplicate');
    expect(dups).toHaveLength(2);
    expect(dups[0]!.attributes['duplicate.of']).toBe(a.id);
    expect(run.provenance().filter((e) => e.type === 'ROUTE')).toHaveLength(4);
  });

  test('a key is forgotten after the window', async () => {
    const run = processorRunner(DetectDuplicate, { key: 'attributes.k', window: '40ms' });
    run.enqueue('', { k: '1' });
    await run.trigger();
    await new Promise((r) => setTimeout(r, 60));
    run.enqueue('', { k: '1' });
    await run.trigger();
    expect(run.transferred('non-duplicate')).toHaveLength(2);
  });

  test('beyond maxEntries the oldest key is forgotten', async () => {
    const run = processorRunner(DetectDuplicate, { key: 'attributes.k', maxEntries: 2 });
    for (const k of ['1', '2', '3', '1']) run.enqueue('', { k });
    await run.trigger();
    expect(run.transferred('non-duplicate')).toHaveLength(4);
  });

  test('keys from a session that rolled back are not remembered', async () => {
    let fail = true;
    const Failing = failingAfterTrigger(DetectDuplicate, () => fail, 'downstream trouble');
    const run = processorRunner(Failing, { key: 'attributes.k' });
    run.enqueue('', { k: 'x' });
    await expect(run.trigger()).rejects.toThrow('downstream trouble');
    fail = false;
    await run.trigger();
    expect(run.transferred('non-duplicate')).toHaveLength(1);
    expect(run.transferred('duplicate')).toHaveLength(0);
  });

  test('an undefined key or an evaluation error goes to failure; empty and binary content are fine', async () => {
    const run = processorRunner(DetectDuplicate, { key: '$string(content)' });
    run.enqueue('');
    run.enqueue(Buffer.from([0xff]));
    await run.trigger();
    expect(run.transferred('non-duplicate')).toHaveLength(2);
    const bad = processorRunner(DetectDuplicate, { key: 'attributes.missing' });
    bad.enqueue('x');
    await bad.trigger();
    expect(bad.transferred('failure')[0]!.attributes['duplicate.error']).toMatch(/no value/);
    const err = processorRunner(DetectDuplicate, { key: '$number(content)' });
    err.enqueue('abc');
    await err.trigger();
    expect(err.transferred('failure')).toHaveLength(1);
  });

  test('a broken key expression is a config error', () => {
    expect(configIssues(DetectDuplicate, { key: '(' })[0]!.path).toBe('/key');
  });
});
