import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { LookupService, RecordObject } from '../../sdk';
import { configIssues } from '../../sdk/testing';
import { enableService } from '../../services/broker-test-kit';
import FileLookupService from '../../services/lookup-file';
import KeyValueLookupService from '../../services/lookup-map';
import { CSV_IO, jsonLines, recordRunner, toJsonLines } from '../record-processors-test-kit';
import LookupRecord from '.';

async function countries() {
  return enableService(
    KeyValueLookupService,
    { entries: { DE: { country: 'Germany', eu: true }, US: { country: 'United States', eu: false } } },
    'lookup',
  );
}

describe('LookupRecord', () => {
  test('merges the found record into each matched record; unmatched ones go on as one FlowFile', async () => {
    const lookup = await countries();
    const run = await recordRunner(
      LookupRecord,
      { lookup: { service: 'lookup' }, keyField: 'code' },
      { services: { lookup: lookup.instance } },
    );
    const input = run.enqueue(
      toJsonLines([
        { id: 1, code: 'DE' },
        { id: 2, code: 'FR' },
        { id: 3, code: 'US' },
        { id: 4 },
        { id: 5, code: { nested: true } },
      ]),
    );
    await run.trigger();
    const [matched] = run.transferred('matched');
    expect(matched!.id).toBe(input.id);
    expect(jsonLines(matched)).toEqual([
      { id: 1, code: 'DE', country: 'Germany', eu: true },
      { id: 3, code: 'US', country: 'United States', eu: false },
    ]);
    expect(matched!.attributes).toMatchObject({ 'record.count': '2', 'mime.type': 'application/x-ndjson' });
    const [unmatched] = run.transferred('unmatched');
    expect(jsonLines(unmatched)).toEqual([{ id: 2, code: 'FR' }, { id: 4 }]);
    expect(unmatched!.attributes['record.count']).toBe('2');
    const [invalid] = run.transferred('invalid');
    expect(jsonLines(invalid)).toEqual([
      {
        line: 5,
        reason: 'record 5: key field "code" is an object, not a value',
        raw: '{"id":5,"code":{"nested":true}}',
      },
    ]);
    expect(run.events.find((e) => e.type === 'CONTENT_MODIFIED')?.details).toBe('2 records');
  });

  test('resultMode "field" puts the found record at a nested path; a number key is looked up as text', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sluice-lookup-record-'));
    try {
      const file = path.join(dir, 'customers.csv');
      await writeFile(file, 'id,name\n7,Ann\n');
      const lookup = await enableService(FileLookupService, { path: file, keyField: 'id' }, 'lookup');
      const run = await recordRunner(
        LookupRecord,
        {
          lookup: { service: 'lookup' },
          keyField: 'order.customer',
          resultMode: 'field',
          resultField: 'enriched.customer',
        },
        { services: { lookup: lookup.instance } },
      );
      run.enqueue(toJsonLines([{ order: { customer: 7 } }]));
      await run.trigger();
      expect(jsonLines(run.transferred('matched')[0])).toEqual([
        { order: { customer: 7 }, enriched: { customer: { id: '7', name: 'Ann' } } },
      ]);
      expect(run.transferred('unmatched')).toHaveLength(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a FlowFile whose records all miss goes to unmatched whole; each distinct key is looked up once', async () => {
    const asked: string[] = [];
    const lookup: LookupService = {
      lookup: async (key): Promise<RecordObject | undefined> => {
        asked.push(key);
        return undefined;
      },
    };
    const run = await recordRunner(
      LookupRecord,
      { lookup: { service: 'lookup' }, keyField: 'k' },
      { services: { lookup } },
    );
    const input = run.enqueue(toJsonLines([{ k: 'a' }, { k: 'b' }, { k: 'a' }]));
    await run.trigger();
    expect(run.transferred('matched')).toHaveLength(0);
    const [unmatched] = run.transferred('unmatched');
    expect(unmatched!.id).toBe(input.id);
    expect(unmatched!.attributes['record.count']).toBe('3');
    expect(asked).toEqual(['a', 'b']);
  });

  test('a lookup service that fails sends the FlowFile to failure with record.error', async () => {
    const lookup: LookupService = {
      lookup: async () => {
        throw new Error('table unavailable');
      },
    };
    const run = await recordRunner(
      LookupRecord,
      { lookup: { service: 'lookup' }, keyField: 'k' },
      { services: { lookup } },
    );
    run.enqueue(toJsonLines([{ k: 'a' }]));
    await run.trigger();
    expect(run.transferred('failure')[0]!.attributes['record.error']).toBe('table unavailable');
  });

  test('config issues: the lookup service and the key field are required', () => {
    expect(configIssues(LookupRecord, { resultMode: 'field', resultField: '' }).map((i) => i.path)).toEqual([
      '/reader',
      '/writer',
      '/lookup',
      '/keyField',
      '/resultField',
    ]);
  });

  test('CSV: matched records are written with the looked-up columns, a ragged row goes to invalid with its line', async () => {
    const lookup = await enableService(KeyValueLookupService, { entries: { eu: 'Europe' } }, 'lookup');
    const run = await recordRunner(
      LookupRecord,
      { lookup: { service: 'lookup' }, keyField: 'region', resultMode: 'field', resultField: 'area' },
      { ...CSV_IO, services: { lookup: lookup.instance } },
    );
    run.enqueue('id,price,quantity,region\n1,2.5,4,eu\n2,10,3,us,extra\n3,1,1,us\n');
    await run.trigger();
    expect(run.transferred('matched')[0]!.content.toString()).toBe(
      'id,price,quantity,region,area\n1,2.5,4,eu,"{""value"":""Europe""}"\n',
    );
    expect(run.transferred('unmatched')[0]!.content.toString()).toBe('id,price,quantity,region\n3,1,1,us\n');
    expect(run.transferred('invalid')[0]!.attributes['invalid.first.line']).toBe('3');
  });
});
