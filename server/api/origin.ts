/**
 * Who may drive the server from a browser. Three rules, applied before any body is parsed:
 *  - Host: a request whose `Host` is not an allowed name is refused (DNS rebinding: a page on an attacker's
 *    domain that re-resolves to 127.0.0.1 still sends its own name as Host).
 *  - Origin: a state-changing /api request that carries an `Origin` must come from this server's own origin.
 *  - Non-simple: a state-changing /api request must be one a page on another origin cannot send without a CORS
 *    preflight (which is never granted): a JSON content type, or the `X-Sluice-Request` header.
 * Scripts (curl, CI) keep working: they send no Origin, and a bodyless POST without Origin (`curl -X POST
 * .../start`) cannot come from a browser, whose fetch always sends Origin on a POST and whose forms always
 * send a content type.
 */

import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { RequestHandler } from 'express';
import { sendError } from './http-errors';

/** The header the UI (and any script that wants to) sends on every request: it makes a request non-simple. */
export const REQUEST_MARKER = 'x-sluice-request';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

/** Parses a comma- or space-separated host list (`--allowed-hosts`, `SLUICE_ALLOWED_HOSTS`). */
export function parseAllowedHosts(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[\s,]+/)
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
}

/** The host name of a Host header, lower case, without port, brackets or trailing dot; undefined if malformed. */
export function hostName(header: string): string | undefined {
  try {
    const name = new URL(`http://${header}`).hostname.toLowerCase();
    return name.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

/**
 * Allowed: every IP literal (DNS rebinding needs a name, and a page whose origin is an IP address is served by
 * that address), `localhost` and `*.localhost` (browsers resolve them to loopback), and the configured names:
 * `example.com`, `.example.com` (it and its subdomains), or `*` (any).
 */
export function isAllowedHost(header: string | undefined, allowedHosts: readonly string[]): boolean {
  if (header === undefined) return true; // HTTP/1.0 without Host: not a browser
  const name = hostName(header);
  if (name === undefined) return false;
  if (isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost')) return true;
  return allowedHosts.some((entry) => {
    const allowed = hostName(entry.startsWith('.') ? entry.slice(1) : entry);
    if (entry === '*') return true;
    if (allowed === undefined) return false;
    return name === allowed || (entry.startsWith('.') && name.endsWith(`.${allowed}`));
  });
}

/** True when `Origin` names the same host (and port) the request was sent to. */
export function isSameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (origin === undefined) return true;
  if (host === undefined || origin === 'null') return false;
  try {
    return new URL(origin).host.toLowerCase() === new URL(`http://${host}`).host.toLowerCase();
  } catch {
    return false;
  }
}

/** Refuses (403) any request whose Host is not allowed. */
export function hostGuard(allowedHosts: readonly string[]): RequestHandler {
  return (req, res, next) => {
    if (isAllowedHost(req.headers.host, allowedHosts)) return next();
    sendError(
      res,
      403,
      `host "${req.headers.host}" is not allowed; start the server with --allowed-hosts ${hostName(req.headers.host ?? '') ?? '<name>'} (or SLUICE_ALLOWED_HOSTS) to serve it`,
      [{ path: '/headers/host', message: 'not an allowed host' }],
    );
  };
}

/** Refuses state-changing requests another origin could have sent (see the file comment). */
export function originGuard(): RequestHandler {
  return (req, res, next) => {
    if (!STATE_CHANGING.has(req.method)) return next();
    if (!isSameOrigin(req)) {
      sendError(res, 403, `cross-origin request refused: Origin "${req.headers.origin}" is not this server`, [
        { path: '/headers/origin', message: 'must be the origin the server is addressed by' },
      ]);
      return;
    }
    if (req.headers[REQUEST_MARKER] !== undefined) return next();
    const type = req.headers['content-type'];
    if (type !== undefined && JSON_TYPE.test(type)) return next();
    if (type !== undefined && /^multipart\//i.test(type)) {
      sendError(res, 403, 'an upload needs the X-Sluice-Request header (cross-site request protection)', [
        { path: '/headers/x-sluice-request', message: 'required with a multipart body' },
      ]);
      return;
    }
    const hasBody =
      type !== undefined || Number(req.headers['content-length'] ?? 0) > 0 || 'transfer-encoding' in req.headers;
    if (hasBody) {
      sendError(res, 415, 'expected a JSON body (Content-Type: application/json) or the X-Sluice-Request header');
      return;
    }
    if (req.headers.origin !== undefined || req.headers['sec-fetch-site'] !== undefined) {
      sendError(
        res,
        403,
        'a request from a browser needs the X-Sluice-Request header (cross-site request protection)',
        [{ path: '/headers/x-sluice-request', message: 'required for a request without a JSON body' }],
      );
      return;
    }
    next();
  };
}
