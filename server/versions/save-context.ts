/**
 * Who saves a flow and why, carried from the HTTP request to the versions store without passing it through the
 * flow manager: the API runs each request inside a context (author: the user, message: `?message=`), the revert
 * route inside its own ("Revert to <hash>"). A save outside any request (examples seeded at first start) is by
 * "sluice" with the default message.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';
import { accessOf } from '../api/roles';

export interface SaveContext {
  author?: string;
  message?: string;
}

const storage = new AsyncLocalStorage<SaveContext>();

export function currentSaveContext(): SaveContext {
  return storage.getStore() ?? {};
}

export function withSaveContext<T>(context: SaveContext, fn: () => T): T {
  return storage.run({ ...currentSaveContext(), ...context }, fn);
}

/** Mounted after the body parser: the rest of the request runs with its author and message. */
export function saveContextFromRequest(): RequestHandler {
  return (req, _res, next) => {
    const author = accessOf(req)?.principal?.username ?? undefined;
    const message = typeof req.query.message === 'string' && req.query.message.trim() ? req.query.message : undefined;
    storage.run({ author, message }, next);
  };
}
