/**
 * The server's view of the workers: a mirror of the `sluice_workers` bucket, from which it aggregates each
 * flow's status over the live workers and lists every worker it has heard from (`GET /api/workers`).
 */
import type { KV } from 'nats';
import type { ProcessorLogger } from '../engine/contract';
import type { FlowStatus } from '../engine/status';
import { aggregateFlowStatus, type ClusterFlowStatus } from './aggregate-status';
import { parseJson } from './cluster-buckets';
import { KvMirror } from './kv-mirror';
import { isLive, parseReport, type WorkerReport } from './worker-report';

export interface WorkerSummary {
  name: string;
  instance: string;
  host: string;
  pid: number;
  startedAt: number;
  /** When its last report was stored (ms since the epoch, NATS server time). */
  lastSeen: number;
  /** Reported within the last three intervals and not shut down. */
  alive: boolean;
  /** `running`, `stopped` (shut down cleanly) or `lost` (no report for three intervals). */
  state: 'running' | 'stopped' | 'lost';
  primary: boolean;
  /** Flows running on it. */
  flows: string[];
  /** Flows it cannot run, with the reasons. */
  issues: WorkerReport['issues'];
  connected: boolean;
}

export class ClusterView {
  private readonly mirror: KvMirror;
  private readonly parsed = new Map<string, { revision: number; report: WorkerReport | undefined }>();

  constructor(workers: KV, logger?: ProcessorLogger) {
    this.mirror = new KvMirror(workers, { what: 'worker reports', resyncMs: 3000, logger });
  }

  start(): Promise<void> {
    return this.mirror.start();
  }

  stop(): Promise<void> {
    return this.mirror.stop();
  }

  private reports(): { report: WorkerReport; storedAt: number }[] {
    const out: { report: WorkerReport; storedAt: number }[] = [];
    for (const e of this.mirror.entries.values()) {
      let cached = this.parsed.get(e.key);
      if (cached?.revision !== e.revision) {
        cached = { revision: e.revision, report: parseReport(parseJson(e.value)) };
        this.parsed.set(e.key, cached);
      }
      if (cached.report) out.push({ report: cached.report, storedAt: e.created });
    }
    for (const key of this.parsed.keys()) if (!this.mirror.entries.has(key)) this.parsed.delete(key);
    return out;
  }

  workers(now = Date.now()): WorkerSummary[] {
    return this.reports()
      .map(({ report: r, storedAt }) => {
        const alive = isLive(r, storedAt, now);
        return {
          name: r.name,
          instance: r.instance,
          host: r.host,
          pid: r.pid,
          startedAt: r.startedAt,
          lastSeen: storedAt,
          alive,
          state: alive ? 'running' : r.state === 'stopped' ? 'stopped' : 'lost',
          primary: alive && r.primary,
          flows: Object.entries(r.flows)
            .filter(([, s]) => s.running)
            .map(([id]) => id),
          issues: r.issues,
          connected: alive && r.backend?.connected !== false,
        } satisfies WorkerSummary;
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The flow's status over the live workers, on top of the server's own view of it. */
  flowStatus(flowId: string, local: FlowStatus, now = Date.now()): ClusterFlowStatus {
    const live = this.reports()
      .filter(({ report, storedAt }) => isLive(report, storedAt, now) && report.flows[flowId])
      .sort((a, b) => a.report.name.localeCompare(b.report.name))
      .map(({ report }) => ({ worker: report.name, primary: report.primary, status: report.flows[flowId]! }));
    return aggregateFlowStatus(local, live);
  }
}
