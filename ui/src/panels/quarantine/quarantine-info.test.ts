import { expect, test } from 'vitest';
import { attributesForDisplay, quarantineInfo, releasedText, releaseFailedText } from './quarantine-info';

const quarantined = {
  filename: 'a.json',
  'sluice.quarantine.reason': 'cannot parse this',
  'sluice.quarantine.processor': 'parse',
  'sluice.quarantine.failures': '3',
  uuid: 'u-1',
};

test('reads why, where and how often a FlowFile failed from the attributes the engine set', () => {
  expect(quarantineInfo(quarantined)).toEqual({ reason: 'cannot parse this', processor: 'parse', failures: 3 });
  // Written by an older engine, or edited: shown as missing, never as "NaN" or "undefined".
  expect(quarantineInfo({ 'sluice.quarantine.failures': 'many' })).toEqual({
    reason: 'no reason recorded',
    processor: '',
    failures: null,
  });
});

test('lists the quarantine attributes first, then the rest in their own order', () => {
  expect(attributesForDisplay(quarantined).map(([k]) => k)).toEqual([
    'sluice.quarantine.reason',
    'sluice.quarantine.processor',
    'sluice.quarantine.failures',
    'filename',
    'uuid',
  ]);
});

test("words the server's answers, and keeps its error message as it is", () => {
  expect(releasedText('requeue', 3)).toBe(
    'Put back 3 FlowFiles into the queue, each as a new FlowFile (a REPLAY of the quarantined one).',
  );
  expect(releasedText('drop', 1)).toBe('Dropped 1 FlowFile from the quarantine.');
  expect(releasedText('drop', 0)).toBe('Nothing was quarantined any more.');
  expect(releaseFailedText('drop', 'this needs the operator role')).toBe(
    'Dropping failed: this needs the operator role',
  );
});
