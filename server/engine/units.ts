import bytes from 'bytes';
import ms from 'ms';

/** Parses "100ms", "30s", "5 min", "1h" into milliseconds; the flow schema has already checked the form. */
export function parseDuration(text: string): number {
  const value = ms(text.replace(/\s+/g, '') as ms.StringValue);
  if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`not a duration: "${text}"`);
  return value;
}

/** Parses "1 GB" (1024-based, as NiFi does) or a plain byte count. */
export function parseSize(size: string | number): number {
  if (typeof size === 'number') return size;
  const value = bytes.parse(size.replace(/\s+/g, ''));
  if (value === null || Number.isNaN(value)) throw new Error(`not a size: "${size}"`);
  return value;
}

/** Milliseconds as a duration for messages, in the largest unit that is exact: 30000 → "30s", 1500 → "1500ms". */
export function formatDuration(millis: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
  ] as const)
    if (millis >= size && millis % size === 0) return `${millis / size}${unit}`;
  return `${millis}ms`;
}

/** Bytes as a size for messages: 1048576 → "1 MB", 1536 → "1.5 KB". */
export function formatSize(size: number): string {
  return bytes.format(size, { unitSeparator: ' ' }) ?? `${size} B`;
}
