/** CSVRecordSetWriter: quoting, nested values as JSON, null as empty, field order, header and delimiter options. */
import { describe, expect, test } from 'vitest';
import type { RecordWriter } from '../../sdk';
import { enableService } from '../broker-test-kit';
import CSVRecordSetWriter from '.';

const writer = async (config: object = {}): Promise<RecordWriter> =>
  (await enableService(CSVRecordSetWriter, config)).instance;

describe('CSVRecordSetWriter', () => {
  test('quotes only what needs it, doubles quotes, nested as JSON, null and missing empty', async () => {
    const w = await writer();
    expect(w.mimeType).toBe('text/csv');
    const out = await w.write(
      [
        { id: 1, name: 'Smith, John', note: 'say "hi"', tags: ['a'], x: null },
        { id: 2, name: 'two\nlines', extra: true },
      ],
      { type: 'object', properties: { name: { type: 'string' }, id: { type: 'integer' } } },
    );
    expect(out.toString()).toBe(
      'name,id,note,tags,x,extra\n"Smith, John",1,"say ""hi""","[""a""]",,\n"two\nlines",2,,,,true\n',
    );
  });

  test('no header, another delimiter and quote; zero records is empty content', async () => {
    const w = await writer({ header: false, delimiter: ';', quote: "'" });
    expect((await w.write([{ a: "it's", b: 'x;y' }], { type: 'object', properties: {} })).toString()).toBe(
      "'it''s';'x;y'\n",
    );
    expect((await w.write([], { type: 'object', properties: {} })).toString()).toBe('');
  });
});
