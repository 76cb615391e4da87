/**
 * How the provenance panel previews an event's content: pretty JSON or text (as the queue inspector shows it),
 * else a hex dump, the same 16-bytes-a-line dump the server makes for the queue inspector.
 */
import { hexDump } from '../../../../server/api/hex-dump';
import type { ContentSide, ProvenanceEvent } from '../../api/types';
import { type ContentView, viewContent } from '../../lib/content';

/** The most of an event's content a preview reads; Download gets all of it. */
export const PREVIEW_BYTES = 64 * 1024;

export interface ContentPreview {
  kind: ContentView['kind'];
  text: string;
}

/** The two sides of an event, in the order shown (NiFi's Content tab: input claim, output claim). */
export const CONTENT_SIDES: readonly { side: ContentSide; title: string }[] = [
  { side: 'input', title: 'Input content' },
  { side: 'output', title: 'Output content' },
];

/** `truncated`: the bytes are the start of the content, so a last character may be cut in half. */
export function previewContent(bytes: Uint8Array, contentType: string, truncated: boolean): ContentPreview {
  const view = viewContent(truncated ? withoutCutCharacter(bytes) : bytes, contentType);
  return view.kind === 'binary' ? { kind: 'binary', text: hexDump(bytes) } : view;
}

/**
 * The size of the content on one side, as far as the event tells: the content after it is `contentSize`; the
 * content before it is the same unless the event changed it (a previous claim), known only once fetched.
 */
export function knownSize(event: ProvenanceEvent, side: ContentSide): number | undefined {
  return side === 'output' || event.previousContentClaim === undefined ? event.contentSize : undefined;
}

/** Drops a UTF-8 sequence cut off at the end, so the start of a text still decodes as text. */
function withoutCutCharacter(bytes: Uint8Array): Uint8Array {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead byte
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return length > back ? bytes.subarray(0, bytes.length - back) : bytes;
  }
  return bytes;
}
