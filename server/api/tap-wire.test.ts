import { describe, expect, test } from 'vitest';
import { newFlowFile } from '../engine/flowfile';
import { TapRegistry } from '../engine/tap';
import { HttpError } from './http-errors';
import { contentPreview, parseInjectBody, wireTapEntry } from './tap-wire';

describe('content preview', () => {
  test('text up to 1 KiB, a multibyte character cut at the edge dropped, not shown as binary', () => {
    expect(contentPreview(Buffer.from('hello'))).toEqual({ preview: 'hello', encoding: 'text', truncated: false });
    const text = Buffer.from(`${'a'.repeat(1023)}é and more`);
    const p = contentPreview(text);
    expect(p).toMatchObject({ encoding: 'text', truncated: true });
    expect(p.preview).toBe('a'.repeat(1023));
  });

  test('binary as a hex dump', () => {
    const p = contentPreview(Buffer.from([0, 1, 2, 0xff]));
    expect(p.encoding).toBe('hex');
    expect(p.preview).toContain('00 01 02 ff');
  });
});

describe('tap entries on the wire', () => {
  test('content only for callers who may read it; the full kept content only when asked', () => {
    const taps = new TapRegistry();
    taps.watch('c', 0);
    taps.capture('c', [newFlowFile('secret', { k: 'v' })], 0);
    const entry = taps.get('c')!.snapshot().entries[0]!;
    const hidden = wireTapEntry(entry, false, true);
    expect(hidden.attributes.k).toBe('v');
    expect(hidden.preview).toBeUndefined();
    expect(hidden.content).toBeUndefined();
    expect(wireTapEntry(entry, true).content).toBeUndefined();
    const full = wireTapEntry(entry, true, true);
    expect(full.preview?.preview).toBe('secret');
    expect(Buffer.from(full.content!, 'base64').toString()).toBe('secret');
  });
});

describe('the inject body', () => {
  test('content and attributes; base64 when said', () => {
    expect(parseInjectBody({ content: 'x', attributes: { a: '1' } })).toEqual({
      content: Buffer.from('x'),
      attributes: { a: '1' },
    });
    expect(parseInjectBody({ content: 'AAE=', encoding: 'base64' }).content).toEqual(Buffer.from([0, 1]));
  });

  test('every problem named by its JSON path', () => {
    try {
      parseInjectBody({ content: 5, attributes: { 'a/b': 1, ok: 'x' }, extra: true });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(HttpError);
      expect((err as HttpError).status).toBe(400);
      expect((err as HttpError).details.map((d) => d.path).sort()).toEqual(['/attributes/a~1b', '/content', '/extra']);
    }
    expect(() => parseInjectBody(null)).toThrow(HttpError);
  });
});
