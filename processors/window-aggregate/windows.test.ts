import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { AggregateOp } from './aggregates';
import { type Pane, type WindowSpec, WindowState } from './windows';

const spec = (over: Partial<WindowSpec> = {}): WindowSpec => ({
  kind: 'tumbling',
  sizeMs: 10,
  slideMs: 5,
  gapMs: 5,
  outOfOrdernessMs: 0,
  allowedLatenessMs: 0,
  ops: [],
  ...over,
});

let nextId = 0;
function add(s: WindowState, t: number, key = '', values: unknown[] = []): boolean {
  const ok = s.add({ t, key, values, parent: { id: `ff${nextId++}`, lineageStartDate: t } });
  s.observe(t);
  return ok;
}

const summary = (panes: Pane[]) =>
  panes.map((p) => [p.window.key, p.window.start, p.window.end, p.window.count, p.timing]);

describe('WindowState', () => {
  test('tumbling: fires when the watermark passes the end; out-of-order events within the bound are on time', () => {
    const s = new WindowState(spec({ outOfOrdernessMs: 3 }));
    add(s, 1);
    add(s, 12); // watermark 8: [0,10) not yet
    add(s, 9); // 3 behind the latest: still on time
    expect(s.fire()).toEqual([]);
    add(s, 13); // watermark 9 = end - 1: [0,10) fires
    expect(summary(s.fire())).toEqual([['', 0, 10, 2, 'on-time']]);
    expect(add(s, 5)).toBe(false); // [0,10) is gone: late
    expect(s.openWindows).toBe(1);
  });

  test('sliding: an event counts in every window that covers it', () => {
    const s = new WindowState(spec({ kind: 'sliding', sizeMs: 10, slideMs: 5 }));
    expect(s.assign(7)).toEqual([
      [5, 15],
      [0, 10],
    ]);
    add(s, 7);
    add(s, 30);
    expect(summary(s.fire()).sort()).toEqual([
      ['', 0, 10, 1, 'on-time'],
      ['', 5, 15, 1, 'on-time'],
    ]);
  });

  test('session: events within the gap share a session; one arriving between two sessions merges them', () => {
    const s = new WindowState(spec({ kind: 'session', gapMs: 5, outOfOrdernessMs: 100 }));
    add(s, 0, 'a');
    add(s, 3, 'a');
    add(s, 12, 'a'); // a new session: 12 > 3 + 5
    add(s, 1, 'b');
    expect(s.openWindows).toBe(3);
    add(s, 8, 'a'); // touches [0,8) and [12,17): one session [0,17)
    expect(s.openWindows).toBe(2);
    s.advance(1000);
    expect(summary(s.fire()).sort()).toEqual([
      ['a', 0, 17, 4, 'on-time'],
      ['b', 1, 6, 1, 'on-time'],
    ]);
  });

  test('allowed lateness: a late event within it re-fires the window as a late pane; past it, the event is late', () => {
    const s = new WindowState(spec({ allowedLatenessMs: 10 }));
    add(s, 2);
    add(s, 15); // fires [0,10)
    expect(summary(s.fire())).toEqual([['', 0, 10, 1, 'on-time']]);
    expect(add(s, 4)).toBe(true); // watermark 14 < 9 + 10
    const [pane] = s.fire();
    expect([pane!.index, pane!.timing, pane!.window.count]).toEqual([1, 'late', 2]);
    add(s, 21); // watermark 20 >= 10 - 1 + 10: [0,10) is gone
    expect(add(s, 5)).toBe(false);
  });

  test('a flush emits every window with unemitted events as an early pane', () => {
    const s = new WindowState(spec());
    add(s, 1, 'x');
    add(s, 11, 'y');
    expect(summary(s.fire())).toEqual([['x', 0, 10, 1, 'on-time']]);
    expect(summary(s.fire(true))).toEqual([['y', 10, 20, 1, 'early']]);
    expect(s.openWindows).toBe(0);
  });

  test('aggregations: sum, avg, min, max, first and last by event time, collect in event-time order', () => {
    const ops: AggregateOp[] = ['sum', 'avg', 'min', 'max', 'first', 'last', 'collect', 'count'];
    const s = new WindowState(spec({ ops, outOfOrdernessMs: 100 }));
    for (const [t, v] of [
      [5, 3],
      [2, 10],
      [8, -1],
      [2, 4],
    ] as const)
      add(
        s,
        t,
        '',
        ops.map((op) => (op === 'collect' || op === 'first' || op === 'last' ? `v${v}` : v)),
      );
    s.advance(100);
    const [pane] = s.fire();
    const accs = pane!.window.accs;
    expect(accs[0]!.sum).toBe(16);
    expect(accs[1]!.sum / accs[1]!.n).toBe(4);
    expect([accs[2]!.extreme, accs[3]!.extreme]).toEqual([-1, 10]);
    expect([accs[4]!.pick!.v, accs[5]!.pick!.v]).toEqual(['v10', 'v-1']);
    expect([...accs[6]!.items!].sort((a, b) => a.t - b.t || a.seq - b.seq).map((i) => i.v)).toEqual([
      'v10',
      'v4',
      'v3',
      'v-1',
    ]);
  });

  test('rollback undoes adds, merges, firing and purging since begin()', () => {
    const s = new WindowState(spec({ kind: 'session', gapMs: 5, ops: ['collect'] }));
    add(s, 0, 'a', ['x']);
    add(s, 20, 'a', ['y']);
    const before = JSON.stringify(s);
    s.begin();
    add(s, 2, 'a', ['z']);
    add(s, 100, 'a', ['w']);
    s.fire();
    expect(s.openWindows).toBe(1);
    s.rollback();
    expect(JSON.stringify(s)).toBe(before);
  });
});

/**
 * The reference model: with the watermark at W = max(t seen so far) - bound - 1, an event is late when its
 * tumbling window [start, start + size) has W >= start + size - 1 + lateness at its arrival.
 */
function expected(events: { t: number; key: string }[], size: number, bound: number, lateness: number) {
  let w = Number.NEGATIVE_INFINITY;
  const counts = new Map<string, number>();
  let late = 0;
  for (const e of events) {
    const start = Math.floor(e.t / size) * size;
    if (w >= start + size - 1 + lateness) late++;
    else counts.set(`${e.key}|${start}`, (counts.get(`${e.key}|${start}`) ?? 0) + 1);
    w = Math.max(w, e.t - bound - 1);
  }
  return { counts, late };
}

describe('WindowState properties (fast-check)', () => {
  test('tumbling: the final count of each window, and their sum plus the late events, match the model', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ t: fc.integer({ min: 0, max: 500 }), key: fc.constantFrom('a', 'b', 'c') }), {
          maxLength: 200,
        }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1 }),
        fc.boolean(),
        (events, size, bound, lateness, batchSizes, rollbacks) => {
          const s = new WindowState(spec({ sizeMs: size, outOfOrdernessMs: bound, allowedLatenessMs: lateness }));
          const finals = new Map<string, number>();
          const record = (panes: Pane[]) => {
            for (const p of panes) finals.set(`${p.window.key}|${p.window.start}`, p.window.count);
          };
          let late = 0;
          let i = 0;
          let b = 0;
          while (i < events.length) {
            const batch = events.slice(i, i + batchSizes[b++ % batchSizes.length]!);
            i += batch.length;
            // A session that rolls back must leave no trace: run the batch once, undo it, run it again.
            if (rollbacks) {
              s.begin();
              for (const e of batch) add(s, e.t, e.key);
              s.fire();
              s.rollback();
            }
            s.begin();
            for (const e of batch) if (!add(s, e.t, e.key)) late++;
            record(s.fire());
            s.commit();
          }
          record(s.fire(true));
          const model = expected(events, size, bound, lateness);
          expect(late).toBe(model.late);
          expect(finals).toEqual(model.counts);
          let total = 0;
          for (const n of finals.values()) total += n;
          expect(total).toBe(events.length - late);
        },
      ),
      { numRuns: 300 },
    );
  });
});
