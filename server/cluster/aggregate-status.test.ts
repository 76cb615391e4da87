import { describe, expect, test } from 'vitest';
import type { ConnectionStatus, FlowStatus, ProcessorStatus } from '../engine/status';
import { aggregateFlowStatus } from './aggregate-status';
import { isLive, parseReport } from './worker-report';

const processor = (over: Partial<ProcessorStatus> = {}): ProcessorStatus => ({
  id: 'p',
  type: 'UpdateAttribute',
  name: 'p',
  state: 'stopped',
  activeTasks: 0,
  in: 0,
  out: 0,
  bytesIn: 0,
  bytesOut: 0,
  tasks: 0,
  errors: 0,
  busyMsPerSecond: 0,
  idleMsPerSecond: 1000,
  backPressuredMsPerSecond: 0,
  lastFiveMinutes: { in: 0, out: 0, bytesIn: 0, bytesOut: 0 },
  bulletins: [],
  ...over,
});

const connection = (over: Partial<ConnectionStatus> = {}): ConnectionStatus => ({
  id: 'c',
  source: 'a',
  target: 'p',
  count: 0,
  bytes: 0,
  inFlight: 0,
  penalized: 0,
  quarantined: 0,
  objectThreshold: 10_000,
  bytesThreshold: 1e9,
  backPressured: false,
  oldestAgeMs: 0,
  ...over,
});

const flow = (p: ProcessorStatus, c: ConnectionStatus, running = true): FlowStatus => ({
  flowId: 'f',
  running,
  time: 0,
  processors: { p },
  connections: { c },
  services: {},
});

describe('aggregateFlowStatus', () => {
  const local = flow(processor(), connection({ count: 7 }), false);

  test('sums counters and rates, keeps a per-worker breakdown, runs where any worker runs it', () => {
    const out = aggregateFlowStatus(local, [
      {
        worker: 'w1',
        primary: true,
        status: flow(
          processor({ state: 'running', in: 10, out: 9, busyMsPerSecond: 300, activeTasks: 1 }),
          connection({ count: 500, inFlight: 100, redelivered: 2, ackPending: 3, backPressured: false }),
        ),
      },
      {
        worker: 'w2',
        primary: false,
        status: flow(
          processor({ state: 'stopped', in: 5, out: 5, busyMsPerSecond: 200 }),
          connection({ count: 480, inFlight: 50, redelivered: 1, ackPending: 3, backPressured: true }),
        ),
      },
    ]);
    expect(out.running).toBe(true);
    expect(out.processors.p).toMatchObject({ state: 'running', in: 15, out: 14, busyMsPerSecond: 500, activeTasks: 1 });
    expect(out.processors.p!.workers).toEqual({
      w1: { state: 'running', in: 10, out: 9, activeTasks: 1 },
      w2: { state: 'stopped', in: 5, out: 5, activeTasks: 0 },
    });
    // Every worker sees the whole stream: the largest estimate, not a sum; its own in-flight work is summed.
    expect(out.connections.c).toMatchObject({ count: 500, inFlight: 150, redelivered: 3, ackPending: 3 });
    expect(out.connections.c!.backPressured).toBe(true);
    expect(out.cluster.workers).toEqual([
      { name: 'w1', primary: true, running: true },
      { name: 'w2', primary: false, running: true },
    ]);
  });

  test('merges bulletins newest last, naming the worker; ignores a processor of another type', () => {
    const bulletin = (time: number, message: string) => ({ time, level: 'error' as const, message, flowFileIds: [] });
    const out = aggregateFlowStatus(local, [
      { worker: 'w1', primary: false, status: flow(processor({ bulletins: [bulletin(2, 'late')] }), connection()) },
      { worker: 'w2', primary: false, status: flow(processor({ bulletins: [bulletin(1, 'early')] }), connection()) },
      { worker: 'old', primary: false, status: flow(processor({ type: 'LogAttribute', in: 99 }), connection()) },
    ]);
    expect(out.processors.p!.bulletins.map((b) => b.message)).toEqual(['w2: early', 'w1: late']);
    expect(out.processors.p!.in).toBe(0);
    expect(Object.keys(out.processors.p!.workers)).toEqual(['w1', 'w2']);
  });

  test("without reports the server's own view stands", () => {
    const out = aggregateFlowStatus(local, []);
    expect(out.running).toBe(false);
    expect(out.connections.c!.count).toBe(7);
    expect(out.processors.p!.workers).toEqual({});
    expect(out.cluster.workers).toEqual([]);
  });
});

describe('worker reports', () => {
  test('a report is parsed defensively and is live for three intervals', () => {
    expect(parseReport({ name: 'w1' })).toBeUndefined();
    expect(parseReport('nonsense')).toBeUndefined();
    const r = parseReport({ name: 'w1', instance: 'i', time: 1000, intervalMs: 2000, flows: {}, primary: 'yes' })!;
    expect(r).toMatchObject({ name: 'w1', primary: false, state: 'running', intervalMs: 2000, issues: {} });
    expect(isLive(r, 10_000, 15_999)).toBe(true);
    expect(isLive(r, 10_000, 16_000)).toBe(false);
    expect(isLive({ ...r, state: 'stopped' }, 10_000, 10_001)).toBe(false);
  });
});
