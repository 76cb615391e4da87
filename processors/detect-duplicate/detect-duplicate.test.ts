import { describe, expect, test } from 'vitest';
import { configIssues, failingAfterTrigger, processorRunner } from '../../sdk/testing';
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

  describe('persisted keys', () => {
    test('a restart still detects a key seen before it, naming the first FlowFile', async () => {
      const before = processorRunner(DetectDuplicate, { key: 'attributes.k' });
      const a = before.enqueue('', { k: 'a' });
      before.enqueue('', { k: 'b' });
      await before.trigger();
      expect(before.transferred('non-duplicate')).toHaveLength(2);

      const after = processorRunner(DetectDuplicate, { key: 'attributes.k' }, { state: before.savedState });
      after.enqueue('', { k: 'a' });
      after.enqueue('', { k: 'c' });
      await after.trigger();
      const dups = after.transferred('duplicate');
      expect(dups.map((f) => f.attributes['duplicate.of'])).toEqual([a.id]);
      expect(after.transferred('non-duplicate').map((f) => f.attributes.k)).toEqual(['c']);
    });

    test('keys older than the window are not restored', async () => {
      const old = [['a', Date.now() - 3_600_000, 'old-id']];
      const recent = [['b', Date.now(), 'recent-id']];
      const state = { 'seen.0': JSON.stringify(old), 'seen.1': JSON.stringify(recent) };
      const run = processorRunner(DetectDuplicate, { key: 'attributes.k', window: '10 min' }, { state });
      run.enqueue('', { k: 'a' });
      run.enqueue('', { k: 'b' });
      await run.trigger();
      expect(run.transferred('non-duplicate').map((f) => f.attributes.k)).toEqual(['a']);
      expect(run.transferred('duplicate')[0]!.attributes['duplicate.of']).toBe('recent-id');
      // The expired key is gone from the persisted state too.
      expect(Object.values(run.savedState!).join()).not.toContain('old-id');
    });

    test('a session that rolls back leaves the persisted keys as they were', async () => {
      let fail = false;
      const run = processorRunner(
        failingAfterTrigger(DetectDuplicate, () => fail),
        { key: 'attributes.k' },
      );
      run.enqueue('', { k: 'a' });
      await run.trigger();
      const committed = run.savedState;
      fail = true;
      run.enqueue('', { k: 'b' });
      await expect(run.trigger()).rejects.toThrow('injected failure');
      expect(run.savedState).toEqual(committed);

      const restarted = processorRunner(DetectDuplicate, { key: 'attributes.k' }, { state: run.savedState });
      restarted.enqueue('', { k: 'b' });
      restarted.enqueue('', { k: 'a' });
      await restarted.trigger();
      expect(restarted.transferred('non-duplicate').map((f) => f.attributes.k)).toEqual(['b']);
      expect(restarted.transferred('duplicate').map((f) => f.attributes.k)).toEqual(['a']);
    });

    test('what is persisted is bounded by maxEntries: the oldest key is forgotten across a restart too', async () => {
      const before = processorRunner(DetectDuplicate, { key: 'attributes.k', maxEntries: 2 });
      for (const k of ['1', '2', '3']) before.enqueue('', { k });
      await before.trigger();
      const after = processorRunner(
        DetectDuplicate,
        { key: 'attributes.k', maxEntries: 2 },
        { state: before.savedState },
      );
      for (const k of ['1', '3']) after.enqueue('', { k });
      await after.trigger();
      expect(after.transferred('non-duplicate').map((f) => f.attributes.k)).toEqual(['1']);
      expect(after.transferred('duplicate').map((f) => f.attributes.k)).toEqual(['3']);
    });

    test('keys are persisted in chunks: a session rewrites the chunks it changed, not every key', async () => {
      const run = processorRunner(DetectDuplicate, { key: 'attributes.k', maxEntries: 2500, batchSize: 10000 });
      for (let i = 0; i < 2500; i++) run.enqueue('', { k: `key-${i}` });
      await run.trigger();
      const first = run.savedState!;
      expect(Object.keys(first).sort()).toEqual(['seen.0', 'seen.1', 'seen.2']);
      run.enqueue('', { k: 'one-more' });
      await run.trigger();
      const second = run.savedState!;
      expect(second['seen.1']).toBe(first['seen.1']); // untouched
      expect(second['seen.0']).not.toContain('"key-0"'); // the oldest key made room (maxEntries)
      expect(second['seen.2']).toContain('"one-more"');
      const persistedKeys = Object.values(second).reduce((n, chunk) => n + JSON.parse(chunk).length, 0);
      expect(persistedKeys).toBe(2500);
    });

    test('overlapping sessions (concurrency > 1): what is persisted is exactly what committed sessions passed', async () => {
      let calls = 0;
      const run = processorRunner(
        failingAfterTrigger(DetectDuplicate, () => ++calls === 1),
        { key: 'attributes.k', batchSize: 1 },
      );
      run.enqueue('', { k: 'a' });
      run.enqueue('', { k: 'b' });
      const results = await Promise.allSettled([run.trigger(), run.trigger()]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
      const passed = run.transferred('non-duplicate');
      expect(passed).toHaveLength(1);
      // No key of the rolled-back session: a restart now would not call its FlowFile a duplicate of itself.
      const persisted = Object.values(run.savedState!).flatMap((chunk) => JSON.parse(chunk) as string[][]);
      expect(persisted.map(([key, , id]) => [key, id])).toEqual([[passed[0]!.attributes.k, passed[0]!.id]]);
    });

    test('a persisted state it cannot read stops the start', async () => {
      const run = processorRunner(DetectDuplicate, {}, { state: { 'seen.0': '{"not":"a list"}' } });
      await expect(run.trigger()).rejects.toThrow('the persisted state "seen.0" is not a list');
    });
  });
});
