/** Turning an HTTP request into FlowFile content and http.* attributes, and answering it. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Attributes } from '../../server/engine/flowfile';

export class BodyTooLargeError extends Error {}

/** Reads the body, refusing more than `maxBytes` (by Content-Length up front, or while streaming). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(new BodyTooLargeError(`body of ${declared} bytes exceeds maxBodySize`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        reject(new BodyTooLargeError(`body exceeds maxBodySize (${maxBytes} bytes)`));
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
    req.once('aborted', () => reject(new Error('request aborted')));
  });
}

export function requestAttributes(req: IncomingMessage, path: string, query: URLSearchParams): Attributes {
  const attributes: Attributes = {
    'http.method': req.method ?? '',
    'http.path': path,
    'http.request.uri': req.url ?? '',
    'http.remote.addr': req.socket.remoteAddress ?? '',
  };
  for (const key of new Set(query.keys())) attributes[`http.query.${key}`] = query.getAll(key).join(',');
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    attributes[`http.headers.${name}`] = Array.isArray(value) ? value.join(', ') : value;
  }
  const type = req.headers['content-type'];
  if (type) attributes['mime.type'] = type.split(';')[0]!.trim();
  return attributes;
}

/** Answers once; a client that went away is ignored. */
export function answer(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
