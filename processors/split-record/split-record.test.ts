import { describe, expect, test } from 'vitest';
import { CSV_IO, jsonLines, recordRunner, toJsonLines } from '../record-processors-test-kit';
import SplitRecord from '.';

const five = toJsonLines([1, 2, 3, 4, 5].map((id) => ({ id })));

describe('SplitRecord', () => {
  test('cuts the records into splits of at most recordsPerSplit, with fragment attributes and FORK details', async () => {
    const run = await recordRunner(SplitRecord, { recordsPerSplit: 2 });
    const input = run.enqueue(five, { filename: 'ids.jsonl' });
    await run.trigger();
    const splits = run.transferred('splits');
    expect(splits.map((s) => jsonLines(s))).toEqual([[{ id: 1 }, { id: 2 }], [{ id: 3 }, { id: 4 }], [{ id: 5 }]]);
    expect(splits.map((s) => [s.attributes['fragment.index'], s.attributes['record.count']])).toEqual([
      ['0', '2'],
      ['1', '2'],
      ['2', '1'],
    ]);
    for (const s of splits)
      expect(s.attributes).toMatchObject({
        'fragment.identifier': input.id,
        'fragment.count': '3',
        'segment.original.filename': 'ids.jsonl',
        'mime.type': 'application/x-ndjson',
      });
    const [original] = run.transferred('original');
    expect(original!.content.toString()).toBe(five);
    expect(original!.attributes).toMatchObject({ 'fragment.identifier': input.id, 'fragment.count': '3' });
    const fork = run.events.find((e) => e.type === 'FORK');
    expect(fork?.details).toBe('5 records in 3 splits');
    expect(fork?.childIds).toEqual(splits.map((s) => s.id));
  });

  test('records the reader refused go to invalid with their lines; the others are split', async () => {
    const run = await recordRunner(SplitRecord, { recordsPerSplit: 10 });
    run.enqueue('{"id":1}\n{bad\n{"id":2}\n');
    await run.trigger();
    expect(run.transferred('splits').map((s) => jsonLines(s))).toEqual([[{ id: 1 }, { id: 2 }]]);
    const [invalid] = run.transferred('invalid');
    expect(invalid!.attributes).toMatchObject({ 'record.count': '1', 'invalid.first.line': '2' });
  });

  test('no records: no splits, the original says fragment.count 0; unreadable content goes to failure', async () => {
    const run = await recordRunner(SplitRecord, {});
    run.enqueue('');
    run.enqueue(Buffer.from([0xff, 0xfe]));
    await run.trigger();
    expect(run.transferred('splits')).toHaveLength(0);
    expect(run.transferred('original')[0]!.attributes['fragment.count']).toBe('0');
    expect(run.transferred('failure')[0]!.attributes['record.error']).toBeTruthy();
  });

  test('CSV: every split has its header line; the ragged row goes to invalid with its line', async () => {
    const run = await recordRunner(SplitRecord, { recordsPerSplit: 1 }, CSV_IO);
    run.enqueue('id,price,quantity,region\n1,2.5,4,eu\n2,10,3,us,extra\n3,1,1,us\n');
    await run.trigger();
    expect(run.transferred('splits').map((s) => s.content.toString())).toEqual([
      'id,price,quantity,region\n1,2.5,4,eu\n',
      'id,price,quantity,region\n3,1,1,us\n',
    ]);
    expect(run.transferred('invalid')[0]!.attributes['invalid.first.line']).toBe('3');
  });
});
