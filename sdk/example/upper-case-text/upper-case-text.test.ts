import { configIssues, processorRunner } from '@sluice/sdk/testing';
import { expect, test } from 'vitest';
import UpperCaseText from '.';

test('upper-cases text; too large or not UTF-8 goes to failure with the reason', async () => {
  const run = processorRunner(UpperCaseText, { maxSize: '8 B' });
  run.enqueue('hello');
  run.enqueue('far too long');
  run.enqueue(Buffer.from([0xff]));
  await run.trigger();
  expect(run.transferred('success').map((ff) => ff.content.toString())).toEqual(['HELLO']);
  expect(run.transferred('failure').map((ff) => ff.attributes['uppercase.error'])).toEqual([
    'larger than 8 bytes',
    'not valid UTF-8',
  ]);
  expect(run.savedState).toEqual({ done: '1' });
  expect(run.provenance().map((e) => e.type)).toContain('CONTENT_MODIFIED');
});

test('a size that is not a size is a config issue at its path', () => {
  expect(configIssues(UpperCaseText, { maxSize: 'big' }).map((i) => i.path)).toEqual(['/maxSize']);
});
