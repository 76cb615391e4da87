import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { sendError } from './http-errors';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Requires `Authorization: Bearer <token>` when a token is configured (no-op otherwise). With `allowQuery`,
 * `?token=` is accepted too: EventSource cannot set headers.
 */
export function requireToken(token: string | undefined, options: { allowQuery?: boolean } = {}): RequestHandler {
  if (!token) return (_req, _res, next) => next();
  const expected = digest(token);
  return (req, res, next) => {
    const header = req.get('authorization');
    let given = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    if (given === undefined && options.allowQuery && typeof req.query.token === 'string') given = req.query.token;
    if (given !== undefined && timingSafeEqual(digest(given), expected)) {
      next();
      return;
    }
    res.set('WWW-Authenticate', 'Bearer realm="sluice"');
    sendError(
      res,
      401,
      given === undefined ? 'authentication required: send "Authorization: Bearer <token>"' : 'invalid token',
    );
  };
}

/** Loopback interfaces: binding anything else needs a token (one rule for the server and its listeners). */
export { isLoopback } from '../validation/listener';
