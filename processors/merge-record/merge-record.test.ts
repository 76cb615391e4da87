import { describe, expect, test } from 'vitest';
import { configIssues } from '../../sdk/testing';
import { waitFor } from '../../test/helpers/wait-for';
import { CSV_IO, jsonLines, recordRunner, toJsonLines } from '../record-processors-test-kit';
import MergeRecord from '.';

const rows = (...ids: number[]) => toJsonLines(ids.map((id) => ({ id })));

describe('MergeRecord', () => {
  test('waits in the input queue until minRecords, then joins the records into one FlowFile', async () => {
    const run = await recordRunner(MergeRecord, { minRecords: 5, maxBinAge: '0s' });
    const a = run.enqueue(rows(1, 2), { batch: 'x' });
    const b = run.enqueue(rows(3, 4), { batch: 'x' });
    const first = await run.trigger();
    expect(first.yielded).toBe(true);
    expect(run.transferred('merged')).toHaveLength(0);
    expect(run.input.depth().count).toBe(2); // held by the queue, not by the processor: a restart loses nothing
    const c = run.enqueue(rows(5, 6), { batch: 'x' });
    await run.trigger();
    const [merged] = run.transferred('merged');
    expect(jsonLines(merged)).toEqual([1, 2, 3, 4, 5, 6].map((id) => ({ id })));
    expect(merged!.attributes).toMatchObject({
      batch: 'x',
      'record.count': '6',
      'mime.type': 'application/x-ndjson',
      'merge.count': '3',
      'merge.reason': 'minimum reached',
    });
    expect(run.transferred('original').map((f) => f.id)).toEqual([a.id, b.id, c.id]);
    const join = run.events.find((e) => e.type === 'JOIN');
    expect(join?.details).toBe('6 records');
    expect(join?.parentIds).toEqual([a.id, b.id, c.id]);
    expect(run.input.depth().count).toBe(0);
  });

  test('a bin is merged at maxRecords; bins keep correlation values and field lists apart', async () => {
    const run = await recordRunner(MergeRecord, {
      correlationAttribute: 'k',
      minRecords: 2,
      maxRecords: 2,
      maxBinAge: '0s',
    });
    run.enqueue(rows(1), { k: 'a' });
    run.enqueue(rows(2), { k: 'b' });
    run.enqueue(rows(3), { k: 'a' });
    run.enqueue(toJsonLines([{ other: 1 }]), { k: 'b' });
    run.enqueue(rows(4), { k: 'b' });
    await run.trigger();
    const merged = run.transferred('merged');
    expect(merged.map((m) => [m.attributes.k, jsonLines(m)])).toEqual([
      ['a', [{ id: 1 }, { id: 3 }]],
      ['b', [{ id: 2 }, { id: 4 }]],
    ]);
    expect(merged[0]!.attributes['merge.reason']).toBe('full');
    expect(run.input.depth().count).toBe(1); // {"other": 1} waits for a record of its fields
  });

  test('a bin older than maxBinAge is merged below minRecords', async () => {
    const run = await recordRunner(MergeRecord, { minRecords: 100, maxBinAge: '50ms' });
    run.enqueue(rows(1));
    await run.trigger();
    expect(run.transferred('merged')).toHaveLength(0);
    const [merged] = (await waitFor(async () => {
      await run.trigger();
      const out = run.transferred('merged');
      return out.length > 0 ? out : undefined;
    }, 'a merge by age'))!;
    expect(merged!.attributes['merge.reason']).toBe('max age');
    expect(Number(merged!.attributes['merge.bin.age'])).toBeGreaterThanOrEqual(50);
  });

  test('records the readers refused go to invalid at the merge; unreadable content goes to failure at once', async () => {
    const run = await recordRunner(MergeRecord, { minRecords: 2, maxBinAge: '0s' });
    const a = run.enqueue('{"id":1}\n{bad\n');
    run.enqueue(Buffer.from([0xff]));
    run.enqueue(rows(2));
    await run.trigger();
    expect(jsonLines(run.transferred('merged')[0])).toEqual([{ id: 1 }, { id: 2 }]);
    const [invalid] = run.transferred('invalid');
    expect(invalid!.attributes).toMatchObject({ 'record.count': '1', 'invalid.first.line': '2' });
    expect(run.events.find((e) => e.type === 'FORK' && e.flowFileId === a.id)).toBeTruthy();
    expect(run.transferred('failure')).toHaveLength(1);
  });

  test('a FlowFile without records goes to original at once instead of waiting for a bin', async () => {
    const run = await recordRunner(MergeRecord, { minRecords: 5, maxBinAge: '0s' });
    const empty = run.enqueue('');
    const refused = run.enqueue('{nope\n');
    await run.trigger();
    expect(run.transferred('original').map((f) => f.id)).toEqual([empty.id, refused.id]);
    expect(run.transferred('invalid')[0]!.attributes['invalid.first.line']).toBe('1');
    expect(run.input.depth().count).toBe(0);
  });

  test('minRecords may not exceed maxRecords', () => {
    expect(
      configIssues(MergeRecord, { reader: { service: 'r' }, writer: { service: 'w' }, minRecords: 5, maxRecords: 2 }),
    ).toEqual([{ path: '/minRecords', message: 'must not exceed maxRecords (2)' }]);
  });

  test('CSV: the merged FlowFile has one header line', async () => {
    const run = await recordRunner(MergeRecord, { minRecords: 2, maxBinAge: '0s' }, CSV_IO);
    run.enqueue('id,name\n1,a\n');
    run.enqueue('id,name\n2,b\n');
    await run.trigger();
    const [merged] = run.transferred('merged');
    expect(merged!.content.toString()).toBe('id,name\n1,a\n2,b\n');
    expect(merged!.attributes).toMatchObject({ 'record.count': '2', 'mime.type': 'text/csv' });
  });
});
