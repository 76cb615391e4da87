/** Splits content into lines at "\n" bytes, each line keeping its line break; works on any encoding's bytes. */
export function splitLines(content: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (;;) {
    const nl = content.indexOf(0x0a, start);
    if (nl === -1) break;
    lines.push(content.subarray(start, nl + 1));
    start = nl + 1;
  }
  if (start < content.length) lines.push(content.subarray(start));
  return lines;
}

/** Removes trailing "\n" and "\r\n" bytes. */
export function trimNewlines(chunk: Buffer): Buffer {
  let end = chunk.length;
  while (end > 0 && (chunk[end - 1] === 0x0a || chunk[end - 1] === 0x0d)) end--;
  return chunk.subarray(0, end);
}
