import { describe, expect, test } from 'vitest';
import { configIssues, FlowEngine, processorRunner, validateFlow } from '../../sdk/testing';
import { createRegistry } from '../registry';
import SplitText from '../split-text';
import MergeContent from '.';

describe('MergeContent bin-packing', () => {
  test('merges what is available with header, demarcator and footer, as one JOIN of all parents', async () => {
    const run = processorRunner(MergeContent, { header: '[', demarcator: ',', footer: ']' });
    const inputs = ['1', '2', '3'].map((c) => run.enqueue(c, { 'mime.type': 'application/json', n: c }));
    await run.trigger();
    const [merged] = run.transferred('merged');
    expect(merged!.content.toString()).toBe('[1,2,3]');
    expect(merged!.attributes).toMatchObject({
      'merge.count': '3',
      'merge.reason': 'minimum reached',
      'mime.type': 'application/json',
    });
    expect(merged!.attributes.n).toBeUndefined();
    expect(run.transferred('original')).toHaveLength(3);
    const join = run.provenance().find((e) => e.type === 'JOIN')!;
    expect(join.flowFileId).toBe(merged!.id);
    expect(join.parentIds).toEqual(inputs.map((f) => f.id));
  });

  test('binary concatenation is byte-exact, empty content included', async () => {
    const run = processorRunner(MergeContent, {});
    run.enqueue(Buffer.from([0xff, 0x00]));
    run.enqueue('');
    run.enqueue(Buffer.from([0x80]));
    await run.trigger();
    expect([...run.transferred('merged')[0]!.content]).toEqual([0xff, 0x00, 0x80]);
  });

  test('maxEntries and maxSize cut bins; a correlation attribute keeps groups apart', async () => {
    const byCount = processorRunner(MergeContent, { maxEntries: 2 });
    for (const c of 'abcde') byCount.enqueue(c);
    await byCount.trigger();
    expect(byCount.transferred('merged').map((f) => f.content.toString())).toEqual(['ab', 'cd', 'e']);
    expect(byCount.transferred('merged').map((f) => f.attributes['merge.reason'])).toEqual([
      'full',
      'full',
      'minimum reached',
    ]);

    const bySize = processorRunner(MergeContent, { maxSize: '4 B' });
    for (const c of ['aa', 'bb', 'c', 'dddddd', 'e']) bySize.enqueue(c);
    await bySize.trigger();
    expect(bySize.transferred('merged').map((f) => f.content.toString())).toEqual(['aabb', 'c', 'dddddd', 'e']);

    const grouped = processorRunner(MergeContent, { correlationAttribute: 'region', demarcator: ' ' });
    for (const [c, region] of [
      ['1', 'eu'],
      ['2', 'us'],
      ['3', 'eu'],
      ['4', ''],
    ] as const)
      grouped.enqueue(c, region ? { region } : {});
    await grouped.trigger();
    const merged = grouped.transferred('merged');
    expect(merged.map((f) => f.content.toString())).toEqual(['1 3', '2', '4']);
    expect(merged[0]!.attributes.region).toBe('eu');
  });

  test('a bin below its minimum stays in the input queue (not lost), then merges when it fills', async () => {
    const run = processorRunner(MergeContent, { minEntries: 3, maxBinAge: '0s' });
    run.enqueue('a');
    run.enqueue('b');
    const first = await run.trigger();
    expect(first.yielded).toBe(true);
    expect(first.in).toBe(0);
    expect(run.transferred('merged')).toHaveLength(0);
    expect(run.input.depth()).toMatchObject({ count: 2, inFlight: 0 });
    expect(run.provenance()).toHaveLength(0);
    run.enqueue('c');
    await run.trigger();
    expect(run.transferred('merged').map((f) => f.content.toString())).toEqual(['abc']);
    expect(run.input.depth().count).toBe(0);
  });

  test('a bin older than maxBinAge is merged below its minimum', async () => {
    const run = processorRunner(MergeContent, { minEntries: 100, maxBinAge: '50ms' });
    run.enqueue('x');
    await run.trigger();
    expect(run.transferred('merged')).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 80));
    await run.trigger();
    const [merged] = run.transferred('merged');
    expect(merged!.attributes['merge.reason']).toBe('max age');
    expect(Number(merged!.attributes['merge.bin.age'])).toBeGreaterThanOrEqual(50);
  });

  test('beyond maxBins the oldest bin is merged', async () => {
    const run = processorRunner(MergeContent, {
      correlationAttribute: 'k',
      minEntries: 5,
      maxBins: 2,
      maxBinAge: '0s',
    });
    for (const k of ['a', 'b', 'c']) run.enqueue(k, { k });
    await run.trigger();
    const merged = run.transferred('merged');
    expect(merged.map((f) => [f.content.toString(), f.attributes['merge.reason']])).toEqual([['a', 'max bins']]);
    expect(run.input.depth().count).toBe(2);
  });

  test('limits that contradict each other are config errors', () => {
    expect(configIssues(MergeContent, { minEntries: 10, maxEntries: 5, minSize: '2 MB', maxSize: '1 MB' })).toEqual([
      { path: '/minEntries', message: 'must not exceed maxEntries (5)' },
      { path: '/minSize', message: 'must not exceed maxSize (1 MB)' },
    ]);
    expect(configIssues(MergeContent, { maxBinAge: 'soon' })[0]!.path).toBe('/maxBinAge');
  });
});

describe('MergeContent defragment', () => {
  async function splits(text: string, lineCount = 1) {
    const split = processorRunner(SplitText, { lineCount });
    split.enqueue(text, { filename: 'orders.txt' });
    await split.trigger();
    return split.transferred('splits');
  }

  test('reassembles SplitText fragments in index order, whatever the arrival order', async () => {
    const text = 'one\ntwo\nthree\nfour\nfive';
    const parts = await splits(text);
    const run = processorRunner(MergeContent, { mergeStrategy: 'defragment' });
    for (const ff of [...parts].reverse()) run.enqueue(ff.content, { ...ff.attributes, filename: 'piece' });
    await run.trigger();
    const [merged] = run.transferred('merged');
    expect(merged!.content.toString()).toBe(text);
    expect(merged!.attributes.filename).toBe('orders.txt');
    expect(merged!.attributes['fragment.identifier']).toBeUndefined();
    expect(merged!.attributes['merge.reason']).toBe('complete');
  });

  test('fragments wait in the queue until the set is complete, then merge', async () => {
    const parts = await splits('a\nb\nc\n');
    const run = processorRunner(MergeContent, { mergeStrategy: 'defragment' });
    run.enqueue(parts[0]!.content, parts[0]!.attributes);
    run.enqueue(parts[2]!.content, parts[2]!.attributes);
    expect((await run.trigger()).yielded).toBe(true);
    expect(run.input.depth().count).toBe(2);
    run.enqueue(parts[1]!.content, parts[1]!.attributes);
    await run.trigger();
    expect(run.transferred('merged').map((f) => f.content.toString())).toEqual(['a\nb\nc\n']);
  });

  test('an incomplete set older than maxBinAge, non-fragments and duplicates go to failure', async () => {
    const parts = await splits('a\nb\n');
    const run = processorRunner(MergeContent, { mergeStrategy: 'defragment', maxBinAge: '30ms' });
    run.enqueue(parts[0]!.content, parts[0]!.attributes);
    run.enqueue(parts[0]!.content, parts[0]!.attributes);
    run.enqueue('loose', { 'fragment.index': 'x' });
    await run.trigger();
    const early = run.transferred('failure').map((f) => f.attributes['merge.error']);
    expect(early).toEqual([expect.stringMatching(/^duplicate fragment 0/), expect.stringMatching(/^not a fragment/)]);
    await new Promise((r) => setTimeout(r, 50));
    await run.trigger();
    expect(run.transferred('failure')[2]!.attributes['merge.error']).toMatch(/incomplete: 1 of 2 fragments/);
    expect(run.input.depth().count).toBe(0);
  });
});

describe('MergeContent in a running flow', () => {
  test('FlowFiles waiting for a bin stay in their queue, unacknowledged, through a stop', async () => {
    const registry = createRegistry();
    const flow = {
      schemaVersion: 1,
      id: 'merge-stop',
      name: 'merge stop',
      processors: [
        { id: 'gen', type: 'GenerateFlowFile', config: { content: 'x', count: 3, batchSize: 3 } },
        {
          id: 'merge',
          type: 'MergeContent',
          config: { minEntries: 4, maxBinAge: '0s' },
          schedule: { yield: '20ms' },
          autoTerminate: ['merged', 'original', 'failure'],
        },
      ],
      connections: [{ id: 'to-merge', source: 'gen', relationships: ['success'], target: 'merge' }],
    };
    const check = validateFlow(flow, registry);
    if (!check.ok) throw new Error(JSON.stringify(check.issues));
    const engine = new FlowEngine(check.resolved, registry);
    await engine.start();
    await new Promise((r) => setTimeout(r, 200));
    await engine.stop();
    expect(engine.connection('to-merge').queue.depth()).toMatchObject({ count: 3, inFlight: 0 });
    const counters = engine.processor('merge').stats.counters;
    expect(counters.in).toBe(0);
    // It yields while its bin waits instead of spinning: a handful of triggers, not thousands.
    expect(counters.tasks).toBeGreaterThan(0);
    expect(counters.tasks).toBeLessThan(100);
    const drops = await engine.provenance.query({ type: 'DROP' });
    expect(drops).toHaveLength(0);
  });
});
