/**
 * What a worker publishes to the `sluice_workers` bucket every status interval: who it is, whether it is the
 * primary, and the status (processor counters, connection depths) of every flow it holds. The server reads
 * these to aggregate the cluster's status and to list the workers.
 */
import type { FlowStatus } from '../engine/status';
import type { NatsLinkStatus } from '../nats/nats-link';
import type { ValidationIssue } from '../validation/ajv';

export interface WorkerReport {
  name: string;
  /** Random per run: two runs of a worker with the same name are told apart. */
  instance: string;
  host: string;
  pid: number;
  startedAt: number;
  /** The worker's clock when it wrote the report. */
  time: number;
  /** How often the worker reports (ms): three missed reports mean the worker is lost. */
  intervalMs: number;
  /** `stopped` is the last report of a worker that shut down cleanly. */
  state: 'running' | 'stopped';
  primary: boolean;
  /** The status of every flow this worker holds, running or stopped. */
  flows: Record<string, FlowStatus>;
  /** Flows this worker cannot run (invalid here, e.g. a directory outside its allowed directories). */
  issues: Record<string, ValidationIssue[]>;
  backend?: NatsLinkStatus;
}

/** A report as read back, or undefined when the value is not one (a foreign or corrupt key). */
export function parseReport(json: unknown): WorkerReport | undefined {
  const r = json as Partial<WorkerReport> | undefined;
  if (!r || typeof r !== 'object') return undefined;
  if (typeof r.name !== 'string' || typeof r.instance !== 'string' || typeof r.time !== 'number') return undefined;
  if (!r.flows || typeof r.flows !== 'object') return undefined;
  return {
    name: r.name,
    instance: r.instance,
    host: typeof r.host === 'string' ? r.host : '',
    pid: typeof r.pid === 'number' ? r.pid : 0,
    startedAt: typeof r.startedAt === 'number' ? r.startedAt : r.time,
    time: r.time,
    intervalMs: typeof r.intervalMs === 'number' && r.intervalMs > 0 ? r.intervalMs : 1000,
    state: r.state === 'stopped' ? 'stopped' : 'running',
    primary: r.primary === true,
    flows: r.flows,
    issues: r.issues && typeof r.issues === 'object' ? r.issues : {},
    ...(r.backend ? { backend: r.backend } : {}),
  };
}

/** A report counts as live while it is younger than three intervals (and at least 5 s). */
export function isLive(report: WorkerReport, storedAt: number, now: number): boolean {
  return report.state === 'running' && now - storedAt < Math.max(5000, 3 * report.intervalMs);
}
