/** Record content as text: UTF-8 checked (a reader throws for content that is not UTF-8), a BOM stripped. */
import { isUtf8 } from 'node:buffer';

/** The content as a string; throws when it is not valid UTF-8 (nothing is replaced by U+FFFD). */
export function utf8Text(content: Buffer): string {
  if (!isUtf8(content)) throw new Error('content is not valid UTF-8');
  const text = content.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** 1-based line of each offset in `offsets` (ascending) within `text`, counting "\n" once. */
export function linesOfOffsets(text: string, offsets: readonly number[]): number[] {
  const lines: number[] = [];
  let line = 1;
  let at = 0;
  for (const offset of offsets) {
    for (let nl = text.indexOf('\n', at); nl !== -1 && nl < offset; nl = text.indexOf('\n', nl + 1)) {
      line++;
      at = nl + 1;
    }
    lines.push(line);
  }
  return lines;
}
