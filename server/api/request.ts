import type { Request, RequestHandler } from 'express';
import { checkNesting } from '../validation/nesting';
import { HttpError } from './http-errors';

/** 400 naming the path when a parsed JSON body nests too deep, before any route (or ajv) walks it. */
export function rejectDeepBodies(): RequestHandler {
  return (req, _res, next) => {
    const issue = checkNesting(req.body);
    next(issue ? new HttpError(400, `request body is ${issue.message}`, [issue]) : undefined);
  };
}

/** The parsed JSON body; 415 when the request did not send JSON. */
export function jsonBody(req: Request): unknown {
  if (req.body === undefined || !req.is(['application/json', 'application/*+json']))
    throw new HttpError(415, 'expected a JSON body (Content-Type: application/json)');
  return req.body;
}

/** One query parameter as a string (a repeated parameter is a 400). */
export function queryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new HttpError(400, `query parameter "${name}" must be given once`, [
      { path: `/query/${name}`, message: 'must be a single value' },
    ]);
  return value;
}

/** An integer query parameter within [min, max]; `fallback` when absent. */
export function queryInt(req: Request, name: string, min: number, max: number, fallback: number): number {
  const text = queryString(req, name);
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new HttpError(400, `query parameter "${name}" must be an integer from ${min} to ${max}`, [
      { path: `/query/${name}`, message: `must be an integer from ${min} to ${max}` },
    ]);
  return value;
}

/** A time query parameter: ms since the epoch or an ISO 8601 date. */
export function queryTime(req: Request, name: string): number | undefined {
  const text = queryString(req, name);
  if (text === undefined || text === '') return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(value))
    throw new HttpError(400, `query parameter "${name}" must be ms since the epoch or an ISO 8601 date`, [
      { path: `/query/${name}`, message: 'must be ms since the epoch or an ISO 8601 date' },
    ]);
  return value;
}
