import type { ResolvedConnection } from '../../flows/flow-schema';
import type { FlowFileQueue } from './queue';
import { parseDuration, parseSize } from './units';

export const DEFAULT_OBJECT_THRESHOLD = 10_000;
/** A connection's quarantine is a queue of its own, named after it with a character ids cannot contain. */
export const QUARANTINE_SUFFIX = '~quarantine';

/** The spec a queue factory gets for a connection's quarantine. */
export function quarantineSpec(spec: ResolvedConnection): ResolvedConnection {
  return { ...spec, id: `${spec.id}${QUARANTINE_SUFFIX}`, prioritizer: 'fifo', expiration: '0s' };
}
export const DEFAULT_BYTES_THRESHOLD = '1 GB';

/** A connection at run time: its queue and the thresholds that hold its source back. */
export class RunningConnection {
  readonly objectThreshold: number;
  readonly bytesThreshold: number;
  readonly expirationMs: number;
  readonly selfLoop: boolean;

  /** Failed sessions per FlowFile id while it waits here (cleared when a session consumes it). */
  readonly failures = new Map<string, number>();

  /**
   * `quarantine`: where FlowFiles go whose sessions kept failing (see schedule.quarantineAfter), to be
   * inspected, put back or dropped by a person; on the same back end as the queue.
   */
  constructor(
    readonly spec: ResolvedConnection,
    readonly queue: FlowFileQueue,
    readonly quarantine: FlowFileQueue,
  ) {
    this.objectThreshold = spec.backPressure.objects;
    this.bytesThreshold = parseSize(spec.backPressure.bytes);
    this.expirationMs = parseDuration(spec.expiration);
    this.selfLoop = spec.source === spec.target;
  }

  get id(): string {
    return this.spec.id;
  }

  /** Full: the source is not scheduled until the queue drains below both thresholds. */
  isFull(): boolean {
    const d = this.queue.depth();
    return d.count >= this.objectThreshold || d.bytes >= this.bytesThreshold;
  }
}
