import { expect, test } from 'vitest';
import { viewContent } from './content';

const bytes = (s: string) => new TextEncoder().encode(s);

test('JSON is pretty-printed', () => {
  expect(viewContent(bytes('{"a":1,"b":[2]}'))).toEqual({
    kind: 'json',
    text: '{\n  "a": 1,\n  "b": [\n    2\n  ]\n}',
  });
});

test('text stays text, including JSON-looking text that does not parse', () => {
  expect(viewContent(bytes('hello\nworld\t!'))).toEqual({ kind: 'text', text: 'hello\nworld\t!' });
  expect(viewContent(bytes('{"cut off'), 'application/json')).toEqual({ kind: 'text', text: '{"cut off' });
});

test('invalid UTF-8 or control characters are binary', () => {
  expect(viewContent(new Uint8Array([0xff, 0xfe, 0x00]))).toEqual({ kind: 'binary' });
  expect(viewContent(new Uint8Array([0x41, 0x00, 0x42]))).toEqual({ kind: 'binary' });
  expect(viewContent(new Uint8Array([]))).toEqual({ kind: 'text', text: '' });
});
