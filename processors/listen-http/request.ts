/** Turning an HTTP request into FlowFile content and http.* attributes, and answering it. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Attributes } from '../../sdk';

export class BodyTooLargeError extends Error {}
/** The listener's byte budget ran out while the body was being read. */
export class OverBudgetError extends Error {}

/**
 * Headers that carry credentials: never attributes, whatever `headersAsAttributes` says (attributes are shown
 * in the queue view, provenance and logs). The server's token arrives as `Authorization`.
 */
export const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** Default of `headersAsAttributes`: descriptive headers only. */
export const DEFAULT_HEADER_PATTERN =
  '^(content-type|content-length|content-encoding|content-language|user-agent|accept|x-request-id|x-correlation-id|traceparent|tracestate)$';

/**
 * Reads the body, refusing more than `maxBytes` (by Content-Length up front, or while streaming). `reserve(n)`
 * is asked before each chunk is kept: false means the listener's byte budget is spent (OverBudgetError).
 */
export function readBody(req: IncomingMessage, maxBytes: number, reserve: (bytes: number) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(new BodyTooLargeError(`body of ${declared} bytes exceeds maxBodySize`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (err: Error) => {
      req.removeAllListeners('data');
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return stop(new BodyTooLargeError(`body exceeds maxBodySize (${maxBytes} bytes)`));
      if (!reserve(chunk.length)) return stop(new OverBudgetError('the listener holds too many bytes; retry later'));
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
    req.once('aborted', () => reject(new Error('request aborted')));
  });
}

/** http.* attributes; headers only when `keepHeader` says so, and never a credential header. */
export function requestAttributes(
  req: IncomingMessage,
  path: string,
  query: URLSearchParams,
  keepHeader: (name: string) => boolean,
): Attributes {
  const attributes: Attributes = {
    'http.method': req.method ?? '',
    'http.path': path,
    'http.request.uri': req.url ?? '',
    'http.remote.addr': req.socket.remoteAddress ?? '',
  };
  for (const key of new Set(query.keys())) attributes[`http.query.${key}`] = query.getAll(key).join(',');
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || SECRET_HEADERS.has(name) || !keepHeader(name)) continue;
    attributes[`http.headers.${name}`] = Array.isArray(value) ? value.join(', ') : value;
  }
  const type = req.headers['content-type'];
  if (type) attributes['mime.type'] = type.split(';')[0]!.trim();
  return attributes;
}

/**
 * A request a browser sent from a page on another origin (Origin present and not the Host it was sent to).
 * Systems that push data (curl, services) send no Origin; a cross-origin page must not inject FlowFiles.
 */
export function isCrossOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return origin === 'null' || new URL(origin).host.toLowerCase() !== new URL(`http://${req.headers.host}`).host;
  } catch {
    return true;
  }
}

/** Answers once; a client that went away is ignored. */
export function answer(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
