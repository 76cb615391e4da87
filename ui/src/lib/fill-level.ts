/** How full a connection's queue is against its backpressure thresholds, and the colour that says so. */

export type FillTone = 'ok' | 'warn' | 'full';

export interface FillLevel {
  /** The larger of count/objects and bytes/bytes, 0 … 1 (capped for drawing). */
  ratio: number;
  tone: FillTone;
  backPressured: boolean;
}

export function fillLevel(q: {
  count: number;
  bytes: number;
  objectThreshold: number;
  bytesThreshold: number;
  backPressured?: boolean;
}): FillLevel {
  const byCount = q.objectThreshold > 0 ? q.count / q.objectThreshold : 0;
  const byBytes = q.bytesThreshold > 0 ? q.bytes / q.bytesThreshold : 0;
  const raw = Math.max(byCount, byBytes, 0);
  const backPressured = q.backPressured ?? raw >= 1;
  const tone: FillTone = raw <= 0.6 ? 'ok' : raw <= 0.85 ? 'warn' : 'full';
  return { ratio: Math.min(1, raw), tone: backPressured ? 'full' : tone, backPressured };
}
