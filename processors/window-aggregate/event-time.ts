/** Event times as attributes and expressions give them: epoch milliseconds, numeric strings or ISO 8601. */

const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31);

/** Milliseconds since the epoch, or an error message naming what was found. */
export function parseEventTime(value: unknown): number | string {
  if (value === undefined || value === null || value === '') return 'no event time (missing or empty)';
  let t: number;
  if (typeof value === 'number') t = value;
  else if (typeof value === 'string') t = /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Date.parse(value);
  else return `event time is not a number or a date: ${JSON.stringify(value)?.slice(0, 80)}`;
  if (!Number.isFinite(t)) return `event time is not a number or a date: ${JSON.stringify(value).slice(0, 80)}`;
  if (t < EARLIEST || t > LATEST) return `event time out of range (epoch milliseconds expected): ${value}`;
  return Math.floor(t);
}

export function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
