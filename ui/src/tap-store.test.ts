import { describe, expect, test } from 'vitest';
import type { DebugEntry, TapEntry } from './api/tap-types';
import { applyTapMessage, TAP_RING, type TapData, tapEntries, useTapStore } from './tap-store';

const entry = (seq: number): TapEntry => ({
  seq,
  time: seq,
  connectionId: 'c',
  flowFileId: `ff-${seq}`,
  attributes: {},
  size: 1,
});
const line = (id: number): DebugEntry => ({
  id,
  time: id,
  processorId: 'log',
  processorName: 'Log',
  processorType: 'LogAttribute',
  message: `line ${id}`,
});

describe('the tap store', () => {
  test('tap messages go in front, newest first, without repeats, at most the ring', () => {
    let data: TapData = { taps: {}, debug: [], debugDropped: 0 };
    data = {
      ...data,
      ...applyTapMessage(data, {
        type: 'tap-snapshot',
        connectionId: 'c',
        entries: [entry(2), entry(1)],
        skipped: 0,
        seen: 2,
        contentShown: true,
      }),
    };
    data = {
      ...data,
      ...applyTapMessage(data, {
        type: 'tap',
        connectionId: 'c',
        entries: [entry(4), entry(3), entry(2)],
        skipped: 7,
        seen: 11,
      }),
    };
    const view = data.taps.c!;
    expect(view.entries.map((e) => e.seq)).toEqual([4, 3, 2, 1]);
    expect(view.skipped).toBe(7);
    const many = Array.from({ length: 150 }, (_, i) => entry(1000 - i));
    const full = applyTapMessage(data, { type: 'tap', connectionId: 'c', entries: many, skipped: 0, seen: 0 });
    expect(full.taps!.c!.entries).toHaveLength(TAP_RING);
  });

  test('debug lines are newest first; cleared empties them; a tap that ended is no longer watched', () => {
    const store = useTapStore.getState();
    store.showFlow('f');
    store.watch('c');
    store.receive({ type: 'debug-snapshot', entries: [line(1)] });
    store.receive({ type: 'debug', entries: [line(3), line(2)], dropped: 4 });
    expect(useTapStore.getState().debug.map((e) => e.id)).toEqual([3, 2, 1]);
    expect(useTapStore.getState().debugDropped).toBe(4);
    store.receive({ type: 'tap', connectionId: 'c', entries: [entry(1)], skipped: 0, seen: 1 });
    expect(tapEntries('c').map((e) => e.flowFileId)).toEqual(['ff-1']);
    store.receive({ type: 'debug-cleared' });
    expect(useTapStore.getState().debug).toEqual([]);
    store.receive({ type: 'tap-ended', connectionId: 'c' });
    expect(useTapStore.getState().watched).toEqual([]);
    expect(tapEntries('c')).toEqual([]);
  });

  test('another flow starts with nothing watched', () => {
    useTapStore.getState().showFlow('a');
    useTapStore.getState().watch('c');
    useTapStore.getState().showFlow('b');
    expect(useTapStore.getState().watched).toEqual([]);
  });
});
