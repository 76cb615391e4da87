import type { RunningConnection } from './backpressure';
import { type FlowFile, withAttributes } from './flowfile';
import { type NewProvenanceEvent, NO_IDS } from './provenance';

/** Attributes a quarantined FlowFile carries: why, where, and how often it failed. */
export const QUARANTINE_ATTRIBUTES = {
  reason: 'sluice.quarantine.reason',
  processor: 'sluice.quarantine.processor',
  failures: 'sluice.quarantine.failures',
} as const;

/**
 * Poison FlowFiles: a FlowFile whose sessions failed `limit` times is not retried again but moved to its
 * connection's quarantine (durably: offered there, then acknowledged here), with a ROUTE event to
 * "quarantine". Returns the FlowFiles to retry, and the ones set aside.
 */
export async function setAsidePoison(
  connection: RunningConnection,
  ffs: FlowFile[],
  limit: number,
  why: { processorId: string; flowId: string; processorType: string; reason: string },
  record: (events: NewProvenanceEvent[]) => void | Promise<void>,
): Promise<{ retry: FlowFile[]; quarantined: FlowFile[] }> {
  if (limit <= 0) return { retry: ffs, quarantined: [] };
  const retry: FlowFile[] = [];
  const poison: FlowFile[] = [];
  for (const ff of ffs) {
    const failures = (connection.failures.get(ff.id) ?? 0) + 1;
    if (failures >= limit) {
      poison.push(ff);
      connection.failures.delete(ff.id);
    } else {
      connection.failures.set(ff.id, failures);
      retry.push(ff);
    }
  }
  if (poison.length === 0) return { retry, quarantined: [] };
  const marked = poison.map((ff) =>
    withAttributes(ff, {
      [QUARANTINE_ATTRIBUTES.reason]: why.reason.slice(0, 1000),
      [QUARANTINE_ATTRIBUTES.processor]: why.processorId,
      [QUARANTINE_ATTRIBUTES.failures]: String(limit),
    }),
  );
  // Offered first, acknowledged second: a crash in between leaves it in both places, never in none.
  await connection.quarantine.offer(marked);
  await connection.queue.acknowledge(poison);
  const time = Date.now();
  await record(
    marked.map((ff) => ({
      type: 'ROUTE',
      time,
      flowId: why.flowId,
      flowFileId: ff.id,
      componentId: why.processorId,
      componentType: why.processorType,
      relationship: 'quarantine',
      parentIds: NO_IDS,
      childIds: NO_IDS,
      attributes: ff.attributes,
      contentSize: ff.size,
      lineageStartDate: ff.lineageStartDate,
      details: `failed ${limit} times; moved to the quarantine of connection "${connection.id}": ${why.reason}`,
    })),
  );
  return { retry, quarantined: marked };
}

/** A session consumed these: their failure counts are over. */
export function forgetFailures(connections: readonly RunningConnection[], consumed: readonly FlowFile[]): void {
  for (const c of connections) {
    if (c.failures.size === 0) continue;
    for (const ff of consumed) c.failures.delete(ff.id);
  }
}
