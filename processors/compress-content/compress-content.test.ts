import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { processorRunner } from '../../sdk/testing';
import CompressContent from '.';

async function through(config: object, content: Buffer | string, attributes: Record<string, string> = {}) {
  const run = processorRunner(CompressContent, config);
  run.enqueue(content, attributes);
  await run.trigger();
  return run;
}

describe('CompressContent', () => {
  test('gzip output is real gzip, with filename and mime.type updated', async () => {
    const text = 'hello '.repeat(1000);
    const run = await through({}, text, { filename: 'a.txt' });
    const [out] = run.transferred('success');
    expect(gunzipSync(out!.content).toString()).toBe(text);
    expect(out!.size).toBeLessThan(text.length / 10);
    expect(out!.attributes).toMatchObject({ filename: 'a.txt.gz', 'mime.type': 'application/gzip' });
    expect(run.provenance().map((e) => e.type)).toContain('CONTENT_MODIFIED');
  });

  test('gzip from elsewhere decompresses, and the .gz extension is removed', async () => {
    const run = await through({ mode: 'decompress' }, gzipSync('payload'), { filename: 'x.csv.gz' });
    const [out] = run.transferred('success');
    expect(out!.content.toString()).toBe('payload');
    expect(out!.attributes.filename).toBe('x.csv');
  });

  test.each(['gzip', 'deflate', 'brotli'] as const)(
    '%s round-trips binary, empty and large content',
    async (format) => {
      const inputs = [Buffer.from([0, 0xff, 0x80, 0x0a]), Buffer.alloc(0), Buffer.alloc(3_000_000, 'ab')];
      const compress = processorRunner(CompressContent, { format, level: format === 'brotli' ? 4 : 6 });
      for (const b of inputs) compress.enqueue(b);
      await compress.trigger();
      const decompress = processorRunner(CompressContent, { format, mode: 'decompress' });
      for (const ff of compress.transferred('success')) decompress.enqueue(ff.content);
      await decompress.trigger();
      const outs = decompress.transferred('success').map((f) => f.content);
      expect(outs).toHaveLength(3);
      outs.forEach((b, i) => {
        expect(b.equals(inputs[i]!)).toBe(true);
      });
    },
  );

  test('content that is not in the format, or a zip bomb over the limit, goes to failure unchanged', async () => {
    const run = processorRunner(CompressContent, { mode: 'decompress', maxDecompressedSize: 1000 });
    run.enqueue('not gzip at all');
    run.enqueue(gzipSync(Buffer.alloc(100_000)));
    await run.trigger();
    const failed = run.transferred('failure');
    expect(failed[0]!.content.toString()).toBe('not gzip at all');
    expect(failed[0]!.attributes['compress.error']).toMatch(/header/i);
    expect(failed[1]!.attributes['compress.error']).toMatch(/buffer|length|size/i);
  });
});
