import { describe, expect, test } from 'vitest';
import type { QueuedFlowFile } from '../api/types';
import { afterList, markGone, selectFlowFile } from './queue-selection';

const ff = (id: string, ageMs = 0): QueuedFlowFile =>
  ({ id, position: 0, size: 5, ageMs, attributes: { kind: 'slow' }, penalized: false }) as unknown as QueuedFlowFile;

describe('the queue inspector selection', () => {
  test('a click is checked against the next list: still there, its content may be read', () => {
    const sel = selectFlowFile(ff('a'));
    expect(sel).toMatchObject({ presence: 'checking', confirmed: false });
    expect(afterList(sel, [ff('b'), ff('a', 900)])).toEqual({
      flowFile: ff('a', 900),
      presence: 'queued',
      confirmed: true,
    });
  });

  test('taken before the check: gone, never confirmed (no content request), last known copy kept', () => {
    const sel = afterList(selectFlowFile(ff('a')), [ff('b')]);
    expect(sel).toEqual({ flowFile: ff('a'), presence: 'gone', confirmed: false });
  });

  test('taken while open: gone but still confirmed, so the content already read stays', () => {
    const open = afterList(selectFlowFile(ff('a')), [ff('a')]);
    const later = afterList(open, []);
    expect(later).toEqual({ flowFile: ff('a'), presence: 'gone', confirmed: true });
    expect(afterList(later, [])).toBe(later);
    // Back in the queue (a session rolled back): waiting again.
    expect(afterList(later, [ff('a')])?.presence).toBe('queued');
  });

  test('no list answer: the content request decides, and a 404 marks it gone', () => {
    const sel = afterList(selectFlowFile(ff('a')), null);
    expect(sel).toMatchObject({ presence: 'queued', confirmed: true });
    expect(markGone(sel, 'a')?.presence).toBe('gone');
    expect(markGone(sel, 'other')).toBe(sel);
    expect(afterList(null, [ff('a')])).toBeNull();
  });
});
