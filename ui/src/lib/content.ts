/** How the queue inspector shows a FlowFile's content: pretty JSON, text, or (for binary) a hex dump. */

export type ContentView = { kind: 'json'; text: string } | { kind: 'text'; text: string } | { kind: 'binary' };

/** Text is valid UTF-8 without control characters other than tab, newline and carriage return. */
export function viewContent(bytes: Uint8Array, contentType = ''): ContentView {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { kind: 'binary' };
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return { kind: 'binary' };
  const trimmed = text.trim();
  if (contentType.includes('json') || /^[[{]/.test(trimmed)) {
    try {
      return { kind: 'json', text: JSON.stringify(JSON.parse(trimmed), null, 2) };
    } catch {
      // not JSON after all (or cut off by the size cap): show it as text
    }
  }
  return { kind: 'text', text };
}
