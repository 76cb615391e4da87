import type { ResolvedConnection } from '../../flows/flow-schema';
import type { FlowFileQueue } from './queue';
import { parseDuration, parseSize } from './units';

export const DEFAULT_OBJECT_THRESHOLD = 10_000;
export const DEFAULT_BYTES_THRESHOLD = '1 GB';

/** A connection at run time: its queue and the thresholds that hold its source back. */
export class RunningConnection {
  readonly objectThreshold: number;
  readonly bytesThreshold: number;
  readonly expirationMs: number;
  readonly selfLoop: boolean;

  constructor(
    readonly spec: ResolvedConnection,
    readonly queue: FlowFileQueue,
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
