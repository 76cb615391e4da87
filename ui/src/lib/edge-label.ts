/**
 * Where a connection's queue label sits on its curve. At the middle by default; when several processors feed
 * one target, their curves meet near it and labels at the middle would pile up, so each label moves towards
 * its own source, where the curves are still apart. Connections joining the same two processors (parallel:
 * each from its own relationship handle) run side by side all the way, so their labels are spread along the
 * curve, one above the other. Also what the label marks beyond the queue (quarantine).
 */
import { formatCount } from './format';

export interface LabelLink {
  /** Distinct processors feeding the target. */
  fanIn: number;
  /** Connections leaving the same source handle. */
  fanOut: number;
  /** This connection's place among those joining the same two processors, and their number (absent: 1). */
  parallel?: { index: number; count: number };
}

/** 0 = at the source, 1 = at the target. */
export function labelFraction(link: LabelLink): number {
  const converging = link.fanIn > 1 && link.fanOut <= 1;
  const count = link.parallel?.count ?? 1;
  if (count <= 1) return converging ? 0.3 : 0.5;
  // Spread evenly over a stretch of the curve (near the sources when converging): one label height apart and
  // more on curves as short as auto-layout makes them.
  const [from, to] = converging ? [0.1, 0.45] : [0.15, 0.85];
  return from + ((to - from) * Math.min(link.parallel!.index, count - 1)) / (count - 1);
}

function controlOffset(distance: number): number {
  // As React Flow's getBezierPath (curvature 0.25), so the label sits on the drawn curve.
  return distance >= 0 ? 0.5 * distance : 0.25 * 25 * Math.sqrt(-distance);
}

/** The point at `t` on the bezier React Flow draws from a bottom source handle to a top target handle. */
export function pointOnConnection(
  source: { x: number; y: number },
  target: { x: number; y: number },
  t: number,
): { x: number; y: number } {
  const offset = controlOffset(target.y - source.y);
  const c1 = { x: source.x, y: source.y + offset };
  const c2 = { x: target.x, y: target.y - offset };
  const u = 1 - t;
  const at = (a: number, b: number, c: number, d: number) =>
    u * u * u * a + 3 * u * u * t * b + 3 * u * t * t * c + t * t * t * d;
  return { x: at(source.x, c1.x, c2.x, target.x), y: at(source.y, c1.y, c2.y, target.y) };
}

/**
 * The marker on a connection's label when FlowFiles were set aside in its quarantine (their sessions kept
 * failing): "⚠ 4 quarantined", or null when there are none, so poison FlowFiles show at a glance.
 */
export function quarantineMarker(quarantined: number | undefined): string | null {
  if (!quarantined || quarantined <= 0) return null;
  return `⚠ ${formatCount(quarantined)} quarantined`;
}
