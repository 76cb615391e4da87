/**
 * One flow's status for the whole cluster, from the server's own view of the flow (its definition, the
 * connection depths it reads from JetStream) and the statuses the live workers report.
 *
 * - Processor counters and per-second rates are summed over the workers (a worker that is lost takes its
 *   counters with it, as a disconnected node does in NiFi); a processor is `running` when it runs on any
 *   worker; bulletins are merged, newest last, each naming its worker; `workers` breaks the counters down.
 * - A connection's queue is one JetStream consumer that every worker sees whole: its depth is the largest
 *   estimate reported (each worker counts the whole stream), its in-flight, penalized and redelivered
 *   FlowFiles are summed (each worker counts only its own), and it is backpressured when any worker says so.
 * - A service is as its worst state on any worker (failed, enabling, enabled, disabled), the error naming the
 *   worker; its `referencedBy` is the definition's.
 * - Without a live report the server's own view stands (depths from consumer info, processors stopped).
 */
import type { Bulletin } from '../engine/running-processor';
import type { ConnectionStatus, FlowStatus, ProcessorStatus } from '../engine/status';

export interface WorkerFlowStatus {
  /** The worker's name. */
  worker: string;
  primary: boolean;
  status: FlowStatus;
}

export interface ProcessorOnWorker {
  state: ProcessorStatus['state'];
  in: number;
  out: number;
  activeTasks: number;
}

export interface ClusterProcessorStatus extends ProcessorStatus {
  /** Per worker that holds the flow. */
  workers: Record<string, ProcessorOnWorker>;
}

export interface ClusterFlowStatus extends FlowStatus {
  processors: Record<string, ClusterProcessorStatus>;
  cluster: {
    /** The live workers that hold this flow. */
    workers: { name: string; primary: boolean; running: boolean }[];
  };
}

const MAX_BULLETINS = 20;
const STATE_ORDER: ProcessorStatus['state'][] = ['running', 'starting', 'stopping', 'stopped', 'disabled'];
const SERVICE_ORDER: FlowStatus['services'][string]['state'][] = ['failed', 'enabling', 'enabled', 'disabled'];

export function aggregateFlowStatus(local: FlowStatus, reports: readonly WorkerFlowStatus[]): ClusterFlowStatus {
  const processors: Record<string, ClusterProcessorStatus> = {};
  for (const [id, mine] of Object.entries(local.processors)) processors[id] = aggregateProcessor(id, mine, reports);
  const connections: Record<string, ConnectionStatus> = {};
  for (const [id, mine] of Object.entries(local.connections))
    connections[id] = aggregateConnection(
      mine,
      reports.flatMap((r) => (r.status.connections[id] ? [r.status.connections[id]!] : [])),
    );
  const services: FlowStatus['services'] = {};
  for (const [id, mine] of Object.entries(local.services ?? {})) {
    const on = reports.flatMap((r) =>
      r.status.services?.[id] ? [{ worker: r.worker, s: r.status.services[id]! }] : [],
    );
    const worst = on.sort((a, b) => SERVICE_ORDER.indexOf(a.s.state) - SERVICE_ORDER.indexOf(b.s.state))[0];
    services[id] = worst
      ? {
          ...mine,
          state: worst.s.state,
          ...(worst.s.error !== undefined && { error: `${worst.worker}: ${worst.s.error}` }),
        }
      : mine;
  }
  return {
    ...local,
    running: reports.some((r) => r.status.running),
    processors,
    connections,
    services,
    cluster: {
      workers: reports.map((r) => ({ name: r.worker, primary: r.primary, running: r.status.running })),
    },
  };
}

function aggregateProcessor(
  id: string,
  mine: ProcessorStatus,
  reports: readonly WorkerFlowStatus[],
): ClusterProcessorStatus {
  const on = reports.flatMap((r) => {
    const p = r.status.processors[id];
    return p && p.type === mine.type ? [{ worker: r.worker, p }] : [];
  });
  if (on.length === 0) return { ...mine, workers: {} };
  const sum = (f: (p: ProcessorStatus) => number) => on.reduce((n, { p }) => n + (f(p) || 0), 0);
  const bulletins: Bulletin[] = on
    .flatMap(({ worker, p }) => p.bulletins.map((b) => ({ ...b, message: `${worker}: ${b.message}` })))
    .sort((a, b) => a.time - b.time)
    .slice(-MAX_BULLETINS);
  const workers: Record<string, ProcessorOnWorker> = {};
  for (const { worker, p } of on)
    workers[worker] = { state: p.state, in: p.in, out: p.out, activeTasks: p.activeTasks };
  const state = STATE_ORDER.find((s) => on.some(({ p }) => p.state === s)) ?? mine.state;
  return {
    ...mine,
    state,
    activeTasks: sum((p) => p.activeTasks),
    in: sum((p) => p.in),
    out: sum((p) => p.out),
    bytesIn: sum((p) => p.bytesIn),
    bytesOut: sum((p) => p.bytesOut),
    tasks: sum((p) => p.tasks),
    errors: sum((p) => p.errors),
    busyMsPerSecond: sum((p) => p.busyMsPerSecond),
    idleMsPerSecond: sum((p) => p.idleMsPerSecond),
    backPressuredMsPerSecond: sum((p) => p.backPressuredMsPerSecond),
    lastFiveMinutes: {
      in: sum((p) => p.lastFiveMinutes?.in),
      out: sum((p) => p.lastFiveMinutes?.out),
      bytesIn: sum((p) => p.lastFiveMinutes?.bytesIn),
      bytesOut: sum((p) => p.lastFiveMinutes?.bytesOut),
    },
    bulletins,
    workers,
  };
}

function aggregateConnection(mine: ConnectionStatus, reported: readonly ConnectionStatus[]): ConnectionStatus {
  if (reported.length === 0) return mine;
  const max = (f: (c: ConnectionStatus) => number | undefined) => Math.max(...reported.map((c) => f(c) ?? 0));
  const sum = (f: (c: ConnectionStatus) => number | undefined) => reported.reduce((n, c) => n + (f(c) ?? 0), 0);
  const out: ConnectionStatus = {
    ...mine,
    count: max((c) => c.count),
    bytes: max((c) => c.bytes),
    inFlight: sum((c) => c.inFlight),
    penalized: sum((c) => c.penalized),
    backPressured: reported.some((c) => c.backPressured),
    oldestAgeMs: max((c) => c.oldestAgeMs),
    // Every worker sees the whole quarantine stream, as it does the queue's.
    quarantined: max((c) => c.quarantined),
  };
  if (reported.some((c) => c.ackPending !== undefined)) out.ackPending = max((c) => c.ackPending);
  if (reported.some((c) => c.redelivered !== undefined)) out.redelivered = sum((c) => c.redelivered);
  if (reported.some((c) => c.messages !== undefined)) out.messages = max((c) => c.messages);
  return out;
}
