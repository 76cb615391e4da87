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
