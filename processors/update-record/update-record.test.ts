import { describe, expect, test } from 'vitest';
import { configIssues } from '../../sdk/testing';
import { CSV_IO, jsonLines, recordRunner, toJsonLines } from '../record-processors-test-kit';
import UpdateRecord from '.';
import { compileUpdates } from './updates';

const ORDERS = [
  { id: 1, name: 'ann', price: 2.5, quantity: 4, region: 'eu', city: 'Lyon' },
  { id: 2, name: 'bob', price: 10, quantity: 3, region: 'us', city: 'Boston' },
];

describe('UpdateRecord', () => {
  test('sets fields from expressions over each record, nested paths create objects', async () => {
    const run = await recordRunner(UpdateRecord, {
      updates: {
        total: 'price * quantity',
        region: '$uppercase(region)',
        'address.city': 'city',
        label: 'name & "-" & id',
      },
    });
    run.enqueue(toJsonLines(ORDERS));
    await run.trigger();
    const [out] = run.transferred('success');
    expect(jsonLines(out)).toEqual([
      { ...ORDERS[0], total: 10, region: 'EU', address: { city: 'Lyon' }, label: 'ann-1' },
      { ...ORDERS[1], total: 30, region: 'US', address: { city: 'Boston' }, label: 'bob-2' },
    ]);
    expect(out!.attributes).toMatchObject({ 'record.count': '2', 'mime.type': 'application/x-ndjson' });
    expect(run.events.find((e) => e.type === 'CONTENT_MODIFIED')?.details).toBe('2 records');
    expect(run.transferred('invalid')).toHaveLength(0);
  });

  test('a record whose expression fails is invalid ("record N"), with the records the reader refused; the rest go on', async () => {
    const run = await recordRunner(UpdateRecord, { updates: { total: 'price * quantity' } });
    run.enqueue(
      `${JSON.stringify(ORDERS[0])}\nnot json\n${JSON.stringify({ id: 3, price: 'free', quantity: 1 })}\n${JSON.stringify(ORDERS[1])}\n`,
    );
    await run.trigger();
    const [out] = run.transferred('success');
    expect(jsonLines(out).map((r) => (r as { total: number }).total)).toEqual([10, 30]);
    expect(out!.attributes['record.count']).toBe('2');
    const [invalid] = run.transferred('invalid');
    const rows = jsonLines(invalid) as { line: number; reason: string; raw: string }[];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ line: 2, raw: 'not json' });
    expect(rows[1]!.line).toBe(2); // the third line is the second record read
    expect(rows[1]!.reason).toMatch(/^record 2: update of "total": .*\*/);
    expect(JSON.parse(rows[1]!.raw)).toEqual({ id: 3, price: 'free', quantity: 1 });
    expect(invalid!.attributes['record.count']).toBe('2');
    expect(run.transferred('failure')).toHaveLength(0);
  });

  test('content the reader cannot read goes to failure unchanged with record.error', async () => {
    const run = await recordRunner(UpdateRecord, { updates: { a: '1' } });
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    run.enqueue(bytes);
    await run.trigger();
    const [failed] = run.transferred('failure');
    expect(failed!.content).toEqual(bytes);
    expect(failed!.attributes['record.error']).toBeTruthy();
    expect(run.transferred('success')).toHaveLength(0);
  });

  test('an expression without a result sets null', async () => {
    const run = await recordRunner(UpdateRecord, { updates: { missing: 'nothing.here', n: '$count(items)' } });
    run.enqueue(toJsonLines([{ items: [1, 2] }, { items: [] }]));
    await run.trigger();
    expect(jsonLines(run.transferred('success')[0])).toEqual([
      { items: [1, 2], missing: null, n: 2 },
      { items: [], missing: null, n: 0 },
    ]);
  });

  test('config issues name the update by its JSON path', () => {
    const issues = configIssues(UpdateRecord, { updates: { total: 'price *', 'a..b': '1' } });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: '/reader', message: expect.stringMatching(/record reader service/) },
        { path: '/writer', message: expect.stringMatching(/record writer service/) },
        { path: '/updates/total', message: expect.stringMatching(/^invalid JSONata expression/) },
        { path: '/updates/a..b', message: expect.stringMatching(/not a field path/) },
      ]),
    );
  });
});

describe('compiled updates', () => {
  test('a plain field reference is read directly (no Promise); arrays on the way go through JSONata', async () => {
    const [direct, nested, jsonataOnly] = compileUpdates(
      { a: 'price', b: 'address.city', c: 'price * 2' },
      { timeoutMs: 1000, maxDepth: 100 },
    );
    expect(direct!.evaluate({ price: 3 })).toBe(3);
    expect(nested!.evaluate({ address: { city: 'Lyon' } })).toBe('Lyon');
    expect(nested!.evaluate({ address: 'flat' })).toBeUndefined();
    const overArray = nested!.evaluate({ address: [{ city: 'a' }, { city: 'b' }] });
    expect(overArray).toBeInstanceOf(Promise);
    expect([...((await overArray) as string[])]).toEqual(['a', 'b']);
    expect(jsonataOnly!.evaluate({ price: 3 })).toBeInstanceOf(Promise);
  });

  test('CSV in and out: a row that does not fit the header goes to invalid with its line', async () => {
    const run = await recordRunner(
      UpdateRecord,
      { updates: { total: 'price * quantity', region: '$uppercase(region)' } },
      CSV_IO,
    );
    run.enqueue('id,price,quantity,region\n1,2.5,4,eu\n2,10,3,us,extra\n3,1,1,us\n');
    await run.trigger();
    const [out] = run.transferred('success');
    expect(out!.content.toString()).toBe('id,price,quantity,region,total\n1,2.5,4,EU,10\n3,1,1,US,1\n');
    expect(out!.attributes).toMatchObject({ 'record.count': '2', 'mime.type': 'text/csv' });
    const [invalid] = run.transferred('invalid');
    expect(jsonLines(invalid)).toEqual([
      { line: 3, reason: expect.stringMatching(/5 fields/), raw: '2,10,3,us,extra' },
    ]);
    expect(invalid!.attributes['invalid.first.line']).toBe('3');
  });
});
