import { afterEach, describe, expect, test } from 'vitest';
import { configIssues, FlowEngine, ProcessorRegistry, processorRunner, validateFlow } from '../../sdk/testing';
import { waitFor } from '../../test/helpers/wait-for';
import GenerateFlowFile from '../generate-flow-file';
import LogAttribute from '../log-attribute';
import WindowAggregate from '.';

const T0 = Date.UTC(2024, 0, 1);
const at = (seconds: number) => String(T0 + seconds * 1000);
const json = (ff: { content: Buffer }) => JSON.parse(ff.content.toString());

describe('WindowAggregate through sessions', () => {
  test('tumbling windows by event time: one JSON result per window and key, JOIN provenance to its inputs', async () => {
    const run = processorRunner(WindowAggregate, {
      size: '10s',
      maxOutOfOrderness: '5s',
      key: 'attributes.region',
      aggregations: {
        total: { op: 'sum', value: 'content.amount' },
        average: { op: 'avg', value: 'content.amount' },
        smallest: { op: 'min', value: 'content.amount' },
        largest: { op: 'max', value: 'content.amount' },
        firstId: { op: 'first', value: 'content.id' },
        lastId: { op: 'last', value: 'content.id' },
        ids: { op: 'collect', value: 'content.id' },
      },
    });
    const inputs = [
      run.enqueue('{"id":"a","amount":10}', { 'event.time': at(1), region: 'eu' }),
      run.enqueue('{"id":"b","amount":30}', { 'event.time': at(4), region: 'eu' }),
      run.enqueue('{"id":"c","amount":5}', { 'event.time': at(2), region: 'us' }),
      run.enqueue('{"id":"d","amount":20}', { 'event.time': at(3), region: 'eu' }), // out of order, within 5 s
    ];
    await run.trigger();
    expect(run.transferred('success')).toHaveLength(0); // the watermark (3 s) has not passed 10 s
    run.enqueue('{"id":"e","amount":1}', { 'event.time': at(16), region: 'eu' }); // watermark → 11 s
    await run.trigger();
    const out = run.transferred('success');
    expect(out.map((f) => f.attributes['window.key']).sort()).toEqual(['eu', 'us']);
    const eu = out.find((f) => f.attributes['window.key'] === 'eu')!;
    expect(json(eu)).toEqual({
      key: 'eu',
      start: '2024-01-01T00:00:00.000Z',
      end: '2024-01-01T00:00:10.000Z',
      count: 3,
      total: 60,
      average: 20,
      smallest: 10,
      largest: 30,
      firstId: 'a',
      lastId: 'b',
      ids: ['a', 'd', 'b'],
    });
    expect(eu.attributes).toMatchObject({
      'window.start': '2024-01-01T00:00:00.000Z',
      'window.end': '2024-01-01T00:00:10.000Z',
      'window.count': '3',
      'window.pane.timing': 'on-time',
      'window.pane.index': '0',
      'mime.type': 'application/json',
    });
    expect(eu.attributes).not.toHaveProperty('region');
    const joins = run.provenance().filter((e) => e.type === 'JOIN');
    expect(joins.find((e) => e.flowFileId === eu.id)!.parentIds).toEqual(
      [inputs[0]!, inputs[1]!, inputs[3]!].map((f) => f.id),
    );
    const us = out.find((f) => f.attributes['window.key'] === 'us')!;
    expect(joins.find((e) => e.flowFileId === us.id)!.parentIds).toEqual([inputs[2]!.id]);
    // The inputs are consumed (DROP) as they are folded into their windows.
    expect(run.provenance().filter((e) => e.type === 'DROP')).toHaveLength(5);
  });

  test('late events: within the allowed lateness they re-emit the window; after it they go to late', async () => {
    const run = processorRunner(WindowAggregate, { size: '10s', allowedLateness: '10s' });
    run.enqueue('', { 'event.time': at(2) });
    run.enqueue('', { 'event.time': at(12) });
    await run.trigger();
    run.enqueue('', { 'event.time': at(5) }); // 7 s behind, window [0,10) still within its lateness
    await run.trigger();
    const panes = run.transferred('success').map((f) => [f.attributes['window.pane.timing'], json(f).count]);
    expect(panes).toEqual([
      ['on-time', 1],
      ['late', 2],
    ]);
    run.enqueue('', { 'event.time': at(25) }); // watermark 25 s - 1 ms: [0,10) is gone
    run.enqueue('', { 'event.time': at(8) });
    await run.trigger();
    const late = run.transferred('late');
    expect(late).toHaveLength(1);
    expect(late[0]!.attributes['event.time']).toBe(at(8));
    expect(late[0]!.attributes['window.watermark']).toBe('2024-01-01T00:00:24.999Z');
  });

  test('empty windows emit nothing; many keys get one result each', async () => {
    const run = processorRunner(WindowAggregate, { size: '10s', key: 'attributes.k', batchSize: 5000 });
    for (let k = 0; k < 300; k++) run.enqueue('', { 'event.time': at(k % 7), k: `key-${k % 150}` });
    run.enqueue('', { 'event.time': at(95), k: 'key-0' });
    await run.run();
    const out = run.transferred('success');
    expect(out).toHaveLength(150);
    expect(new Set(out.map((f) => f.attributes['window.key'])).size).toBe(150);
    expect(out.every((f) => f.attributes['window.start'] === '2024-01-01T00:00:00.000Z')).toBe(true);
    expect(out.reduce((n, f) => n + json(f).count, 0)).toBe(300);
  });

  test('an event without a usable time, or with a value that is not a number, goes to failure', async () => {
    const run = processorRunner(WindowAggregate, { aggregations: { total: { op: 'sum', value: 'content.n' } } });
    run.enqueue('{"n":1}');
    run.enqueue('{"n":"abc"}', { 'event.time': at(1) });
    run.enqueue('{"n":2}', { 'event.time': 'yesterday' });
    run.enqueue('{"n":"3"}', { 'event.time': '2024-01-01T00:00:01Z' });
    await run.trigger();
    expect(run.transferred('failure').map((f) => f.attributes['window.error'])).toEqual([
      'no event time (missing or empty) in attribute "event.time"',
      'aggregation "total" (sum): not a number: "abc"',
      'event time is not a number or a date: "yesterday" in attribute "event.time"',
    ]);
  });

  test('a session that rolls back leaves the windows as they were: nothing counted twice', async () => {
    let fail = true;
    const Failing: typeof WindowAggregate = {
      ...WindowAggregate,
      async onTrigger(session, ctx) {
        await WindowAggregate.onTrigger(session, ctx);
        if (fail) throw new Error('downstream trouble');
      },
    };
    const run = processorRunner(Failing, { size: '10s' });
    run.enqueue('', { 'event.time': at(1) });
    run.enqueue('', { 'event.time': at(2) });
    run.enqueue('', { 'event.time': at(11) });
    await expect(run.trigger()).rejects.toThrow('downstream trouble');
    expect(run.transferred('success')).toHaveLength(0);
    fail = false;
    await run.trigger();
    expect(run.transferred('success').map((f) => json(f).count)).toEqual([2]);
  });

  test('session windows per key close after the gap', async () => {
    const run = processorRunner(WindowAggregate, { windowType: 'session', gap: '5s', key: 'attributes.user' });
    for (const [s, user] of [
      [0, 'ann'],
      [3, 'ann'],
      [4, 'bob'],
      [7, 'ann'],
      [30, 'ann'],
    ] as const)
      run.enqueue('', { 'event.time': at(s), user });
    await run.trigger();
    expect(
      run.transferred('success').map((f) => [f.attributes['window.key'], json(f).count, json(f).start, json(f).end]),
    ).toEqual([
      ['ann', 3, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:12.000Z'],
      ['bob', 1, '2024-01-01T00:00:04.000Z', '2024-01-01T00:00:09.000Z'],
    ]);
  });
});

describe('WindowAggregate config', () => {
  test('names the wrong setting', () => {
    expect(configIssues(WindowAggregate, { size: 'soon' })).toEqual([
      { path: '/size', message: 'must be a duration such as "100ms", "30s", "5 min" or "1h"' },
    ]);
    expect(configIssues(WindowAggregate, { windowType: 'sliding', size: '10s', slide: '1m' })[0]!.path).toBe('/slide');
    expect(configIssues(WindowAggregate, { timeSource: 'expression' })[0]!.path).toBe('/timeExpression');
    expect(configIssues(WindowAggregate, { aggregations: { total: { op: 'sum' } } })).toEqual([
      { path: '/aggregations/total/value', message: 'sum needs a value expression' },
    ]);
    expect(configIssues(WindowAggregate, { aggregations: { count: { op: 'count' } } })[0]!.path).toBe(
      '/aggregations/count',
    );
    expect(configIssues(WindowAggregate, { key: 'attributes.(' })[0]!.path).toBe('/key');
    expect(configIssues(WindowAggregate, { aggregations: { x: { op: 'median', value: 'a' } } })[0]!.path).toBe(
      '/aggregations/x/op',
    );
  });
});

describe('WindowAggregate in a running flow', () => {
  const engines: FlowEngine[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.stop()));
  });

  function engineFor(windowConfig: object, count: number) {
    const registry = new ProcessorRegistry([GenerateFlowFile, WindowAggregate, LogAttribute]);
    const check = validateFlow(
      {
        schemaVersion: 1,
        id: 'win',
        name: 'win',
        processors: [
          { id: 'gen', type: 'GenerateFlowFile', config: { count, batchSize: count } },
          { id: 'window', type: 'WindowAggregate', config: windowConfig, autoTerminate: ['late', 'failure'] },
          { id: 'sink', type: 'LogAttribute', config: { logLevel: 'debug' }, autoTerminate: ['success'] },
        ],
        connections: [
          { id: 'in', source: 'gen', relationships: ['success'], target: 'window' },
          { id: 'out', source: 'window', relationships: ['success'], target: 'sink' },
        ],
      },
      registry,
    );
    if (!check.ok) throw new Error(JSON.stringify(check.issues));
    const engine = new FlowEngine(check.resolved, registry);
    engines.push(engine);
    return engine;
  }

  test('processing time: a window closes on its own clock, with no more input to move it', async () => {
    const engine = engineFor({ timeSource: 'processing', size: '300ms' }, 7);
    await engine.start({ skip: new Set(['sink']) });
    const results = await waitFor(async () => {
      const queued = await engine.listQueue('out');
      return queued.length > 0 && queued.reduce((n, q) => n + Number(q.attributes['window.count']), 0) === 7
        ? queued
        : undefined;
    }, 'the window results');
    expect(results!.every((q) => q.attributes['window.pane.timing'] === 'on-time')).toBe(true);
  });

  test('stopping the processor emits its open windows (early panes): nothing is lost', async () => {
    const engine = engineFor({ timeSource: 'processing', size: '24h' }, 25);
    await engine.start({ skip: new Set(['sink']) });
    await waitFor(() => engine.status().processors.window!.in === 25, 'the window to take all 25');
    expect(await engine.listQueue('out')).toHaveLength(0);
    await engine.stopProcessor('window');
    const [result] = await engine.listQueue('out');
    expect(result!.attributes).toMatchObject({ 'window.count': '25', 'window.pane.timing': 'early' });
    // Lineage runs from the result back to the 25 generated FlowFiles it joined.
    const [join] = await engine.provenance.query({ type: 'JOIN', flowFileId: result!.id });
    expect(join!.parentIds).toHaveLength(25);
    const created = await engine.provenance.query({ type: 'CREATE', componentId: 'gen' });
    expect(new Set(join!.parentIds)).toEqual(new Set(created.map((e) => e.flowFileId)));
    const lineage = await engine.provenance.lineage(result!.id);
    expect(lineage.flowFileIds).toHaveLength(26);
  });
});
