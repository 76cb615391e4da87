// docs/writing-processors.md shows this example processor and its test: keep the page and the files equal (the
// files run as tests of their own, beside this one).
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

test('the guide shows the example processor and its test as they are', () => {
  const blocks = [...read('../../docs/writing-processors.md').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  expect(blocks[0]).toBe(read('./upper-case-text/index.ts'));
  expect(blocks[1]).toBe(read('./upper-case-text/upper-case-text.test.ts'));
});
