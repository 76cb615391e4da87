import { expect, test } from 'vitest';
import type { ProvenanceEvent } from '../../api/types';
import { knownSize, previewContent } from './content-preview';

const bytes = (s: string) => new TextEncoder().encode(s);

test('text and JSON are shown as the queue inspector shows them', () => {
  expect(previewContent(bytes('hello'), 'application/octet-stream', false)).toEqual({ kind: 'text', text: 'hello' });
  expect(previewContent(bytes('{"a":1}'), 'application/json', false)).toEqual({ kind: 'json', text: '{\n  "a": 1\n}' });
});

test('binary content is a hex dump', () => {
  const preview = previewContent(new Uint8Array([0x00, 0x41, 0xff]), 'application/octet-stream', false);
  expect(preview.kind).toBe('binary');
  expect(preview.text).toMatch(/^00000000 {2}00 41 ff +\|\.A\.\|\n$/);
});

test('a preview cut inside a multi-byte character is still text', () => {
  const whole = bytes('grüße €');
  for (const cut of [whole.length - 1, whole.length - 2]) {
    expect(previewContent(whole.subarray(0, cut), '', true)).toEqual({ kind: 'text', text: 'grüße ' });
  }
  // Not cut: invalid UTF-8 at the end is binary, as it is in the queue inspector.
  expect(previewContent(whole.subarray(0, whole.length - 1), '', false).kind).toBe('binary');
});

test('the size of a side is known unless the event changed the content', () => {
  const event = { contentSize: 5 } as ProvenanceEvent;
  expect(knownSize(event, 'input')).toBe(5);
  expect(knownSize(event, 'output')).toBe(5);
  expect(knownSize({ ...event, previousContentClaim: '1.0.3' }, 'input')).toBeUndefined();
  expect(knownSize({ ...event, previousContentClaim: '1.0.3' }, 'output')).toBe(5);
});
