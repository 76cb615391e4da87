import { describe, expect, test } from 'vitest';
import { processorRunner } from '../../sdk/testing';
import ConvertRecord from '.';

async function convert(config: object, content: string | Buffer) {
  const run = processorRunner(ConvertRecord, config);
  run.enqueue(content);
  await run.trigger();
  return run;
}

describe('ConvertRecord', () => {
  test('CSV with header and quoted fields to JSON lines', async () => {
    const run = await convert({}, 'id,name,note\n1,Ann,"says ""hi"", twice"\n2,Bob,"multi\nline"\n');
    const [out] = run.transferred('success');
    expect(out!.content.toString()).toBe(
      '{"id":"1","name":"Ann","note":"says \\"hi\\", twice"}\n{"id":"2","name":"Bob","note":"multi\\nline"}\n',
    );
    expect(out!.attributes).toMatchObject({ 'record.count': '2', 'mime.type': 'application/x-ndjson' });
    expect(run.provenance().map((e) => e.type)).toContain('CONTENT_MODIFIED');
  });

  test('CSV to a JSON array with inferred numbers, another delimiter, and without header', async () => {
    const typed = await convert({ outputFormat: 'json-array', inferTypes: true, delimiter: ';' }, 'a;b\n1;2.5\nx;\n');
    expect(JSON.parse(typed.transferred('success')[0]!.content.toString())).toEqual([
      { a: 1, b: 2.5 },
      { a: 'x', b: '' },
    ]);
    const raw = await convert({ outputFormat: 'json-array', header: false }, 'a,b\nc,d\n');
    expect(JSON.parse(raw.transferred('success')[0]!.content.toString())).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  test('JSON array, JSON lines and a single object to CSV; columns in first-seen order; nested as JSON', async () => {
    const array = await convert(
      { inputFormat: 'json', outputFormat: 'csv' },
      '[{"id":1,"tags":["a"]},{"id":2,"name":"x,y","extra":null}]',
    );
    expect(array.transferred('success')[0]!.content.toString()).toBe('id,tags,name,extra\n1,"[""a""]",,\n2,,"x,y",\n');
    const lines = await convert({ inputFormat: 'json', outputFormat: 'csv', header: false }, '{"a":1}\n\n{"a":2}\n');
    expect(lines.transferred('success')[0]!.content.toString()).toBe('1\n2\n');
    const one = await convert({ inputFormat: 'json', outputFormat: 'json-lines' }, '{"a":1}');
    expect(one.transferred('success')[0]!.content.toString()).toBe('{"a":1}\n');
  });

  test('empty content converts to zero records', async () => {
    const run = processorRunner(ConvertRecord, { outputFormat: 'json-array' });
    run.enqueue('');
    await run.trigger();
    const [out] = run.transferred('success');
    expect(out!.content.toString()).toBe('[]');
    expect(out!.attributes['record.count']).toBe('0');
  });

  test('ragged CSV, bad JSON, scalar records and non-UTF-8 bytes go to failure unchanged', async () => {
    const run = processorRunner(ConvertRecord, {});
    run.enqueue('a,b\n1,2,3\n');
    run.enqueue(Buffer.from([0x61, 0x0a, 0xff, 0x0a]));
    await run.trigger();
    const json = processorRunner(ConvertRecord, { inputFormat: 'json' });
    json.enqueue('{"a":1}\n{broken\n');
    json.enqueue('[1,2]');
    await json.trigger();
    const errors = [...run.transferred('failure'), ...json.transferred('failure')].map(
      (f) => f.attributes['convert.error'],
    );
    expect(errors).toEqual([
      expect.stringMatching(/Invalid Record Length: columns length is 2, got 3 on line 2/),
      expect.stringMatching(/UTF-8/),
      expect.stringMatching(/^line 2:/),
      'element 0 is 1, not an object or array',
    ]);
    expect(run.transferred('failure')[0]!.content.toString()).toBe('a,b\n1,2,3\n');
  });

  test('relaxColumnCount accepts ragged rows', async () => {
    const run = await convert({ relaxColumnCount: true, outputFormat: 'json-array' }, 'a,b\n1\n');
    expect(JSON.parse(run.transferred('success')[0]!.content.toString())).toEqual([{ a: '1' }]);
  });

  test('a large CSV converts', async () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => `${i},name-${i}`).join('\n');
    const run = await convert({}, `id,name\n${rows}\n`);
    expect(run.transferred('success')[0]!.attributes['record.count']).toBe('50000');
  });
});
