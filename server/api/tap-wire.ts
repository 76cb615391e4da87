/**
 * Tap entries, debug lines and inject requests on the wire: a content preview (first 1 KiB as UTF-8 text, or a
 * hex dump when binary), the full kept content (base64, up to 64 KiB) when asked, and the inject body checked
 * with a JSON path per problem. Content is shown only to the roles that may read queued content (admin), as the
 * queue inspector does; the others see attributes and sizes.
 */
import type { DebugEntry } from '../engine/debug-log';
import type { TapEntry, TapSnapshot } from '../engine/tap';
import type { ValidationIssue } from '../validation/ajv';
import { hexDump } from './hex-dump';
import { HttpError } from './http-errors';

export const PREVIEW_BYTES = 1024;

export interface ContentPreview {
  preview: string;
  encoding: 'text' | 'hex';
  /** The preview is shorter than the content. */
  truncated: boolean;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The first `limit` bytes as text, or as a hex dump when they are not UTF-8 text. */
export function contentPreview(content: Buffer, size = content.length, limit = PREVIEW_BYTES): ContentPreview {
  const head = content.subarray(0, limit);
  const truncated = size > head.length;
  const text = utf8Text(head, truncated);
  if (text !== undefined) return { preview: text, encoding: 'text', truncated };
  return { preview: hexDump(head), encoding: 'hex', truncated };
}

/** Text when the bytes decode as UTF-8 without control characters (a cut may split one last character). */
function utf8Text(bytes: Buffer, cut: boolean): string | undefined {
  for (let drop = 0; drop <= (cut ? 3 : 0) && drop <= bytes.length; drop++) {
    try {
      const text = strictUtf8.decode(bytes.subarray(0, bytes.length - drop));
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what marks binary content
      return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? undefined : text;
    } catch {}
  }
  return undefined;
}

export interface WireTapEntry {
  seq: number;
  time: number;
  connectionId: string;
  flowFileId: string;
  attributes: Readonly<Record<string, string>>;
  size: number;
  /** Absent when the caller may not see content. */
  preview?: ContentPreview;
  /** The kept content (up to 64 KiB), base64: only in the ring's GET, for pinning. */
  content?: string;
  /** The kept content is shorter than the FlowFile's. */
  contentTruncated?: boolean;
}

export function wireTapEntry(entry: TapEntry, showContent: boolean, full = false): WireTapEntry {
  const out: WireTapEntry = {
    seq: entry.seq,
    time: entry.time,
    connectionId: entry.connectionId,
    flowFileId: entry.flowFileId,
    attributes: entry.attributes,
    size: entry.size,
  };
  if (!showContent) return out;
  out.preview = contentPreview(entry.content, entry.size);
  if (full) {
    out.content = entry.content.toString('base64');
    out.contentTruncated = entry.size > entry.content.length;
  }
  return out;
}

export function wireTapSnapshot(snapshot: TapSnapshot, showContent: boolean, full = false) {
  return {
    connectionId: snapshot.connectionId,
    skipped: snapshot.skipped,
    seen: snapshot.seen,
    contentShown: showContent,
    entries: snapshot.entries.map((e) => wireTapEntry(e, showContent, full)),
  };
}

/** A debug line; its content only for callers who may see content. */
export function wireDebugEntry(entry: DebugEntry, showContent: boolean): DebugEntry {
  if (showContent || entry.content === undefined) return entry;
  const { content: _hidden, ...rest } = entry;
  return rest;
}

export interface InjectBody {
  content: Buffer;
  attributes: Record<string, string>;
}

/** `{content, attributes?, encoding?}` checked, each problem with its JSON path; 400 naming them all. */
export function parseInjectBody(body: unknown): InjectBody {
  const issues: ValidationIssue[] = [];
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new HttpError(400, 'invalid inject request', [{ path: '', message: 'must be an object' }]);
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b))
    if (!['content', 'attributes', 'encoding'].includes(key))
      issues.push({
        path: `/${escapePointer(key)}`,
        message: 'is not allowed (expected content, attributes, encoding)',
      });
  const encoding = b.encoding ?? 'text';
  if (encoding !== 'text' && encoding !== 'base64')
    issues.push({ path: '/encoding', message: 'must be "text" or "base64"' });
  const content = b.content ?? '';
  if (typeof content !== 'string') issues.push({ path: '/content', message: 'must be a string' });
  else if (encoding === 'base64' && !/^[A-Za-z0-9+/]*={0,2}$/.test(content))
    issues.push({ path: '/content', message: 'must be base64 (encoding is "base64")' });
  const attributes: Record<string, string> = {};
  if (b.attributes !== undefined) {
    if (b.attributes === null || typeof b.attributes !== 'object' || Array.isArray(b.attributes))
      issues.push({ path: '/attributes', message: 'must be an object of strings' });
    else
      for (const [key, value] of Object.entries(b.attributes)) {
        const path = `/attributes/${escapePointer(key)}`;
        if (key === '') issues.push({ path, message: 'an attribute needs a name' });
        else if (typeof value !== 'string') issues.push({ path, message: 'must be a string' });
        else attributes[key] = value;
      }
  }
  if (issues.length > 0) throw new HttpError(400, 'invalid inject request', issues);
  return { content: Buffer.from(content as string, encoding === 'base64' ? 'base64' : 'utf8'), attributes };
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
