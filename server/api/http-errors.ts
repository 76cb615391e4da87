import type { ErrorRequestHandler, Request, Response } from 'express';
import multer from 'multer';
import type { ProcessorLogger } from '../engine/contract';
import { ConflictError, FlowValidationError, GoneError, NotFoundError } from '../runtime/errors';
import type { ValidationIssue } from '../validation/ajv';

/** Every error answer has this shape; `details` name JSON paths where there are any. */
export interface ErrorBody {
  error: string;
  details: ValidationIssue[];
}

/** An error with its HTTP status, thrown by route handlers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: ValidationIssue[] = [],
  ) {
    super(message);
  }
}

export function sendError(res: Response, status: number, error: string, details: ValidationIssue[] = []): void {
  res.status(status).json({ error, details } satisfies ErrorBody);
}

/** Unknown routes: 404 JSON naming the method and path. */
export function notFoundHandler(req: Request, res: Response): void {
  sendError(res, 404, `no route ${req.method} ${req.path}`);
}

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  expose?: boolean;
  message: string;
}

/** Maps every error to a JSON answer: 4xx with the reason, or 500 with no internals (the log has them). */
export function errorHandler(logger: ProcessorLogger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const answer = classify(err);
    if (answer.status >= 500)
      logger.error({ err: errorText(err), method: req.method, path: req.path }, 'request failed');
    sendError(res, answer.status, answer.error, answer.details);
  };
}

function classify(err: unknown): { status: number; error: string; details: ValidationIssue[] } {
  if (err instanceof HttpError) return { status: err.status, error: err.message, details: err.details };
  if (err instanceof FlowValidationError) return { status: 400, error: 'invalid flow', details: err.issues };
  if (err instanceof NotFoundError) return { status: 404, error: err.message, details: [] };
  if (err instanceof ConflictError) return { status: 409, error: err.message, details: err.details };
  if (err instanceof GoneError) return { status: 410, error: err.message, details: [] };
  if (err instanceof multer.MulterError) {
    const tooLarge = err.code === 'LIMIT_FILE_SIZE' || err.code === 'LIMIT_FIELD_VALUE';
    return { status: tooLarge ? 413 : 400, error: `upload rejected: ${err.message}`, details: [] };
  }
  const parser = err as BodyParserError;
  if (parser?.type === 'entity.too.large')
    return { status: 413, error: `request body is larger than the limit of ${parser.limit} bytes`, details: [] };
  if (parser?.type === 'entity.parse.failed')
    return {
      status: 400,
      error: `invalid JSON body: ${parser.message}`,
      details: [{ path: '', message: parser.message }],
    };
  if (typeof parser?.status === 'number' && parser.status >= 400 && parser.status < 500)
    return { status: parser.status, error: parser.expose === false ? 'bad request' : parser.message, details: [] };
  if ((err as NodeJS.ErrnoException)?.code === 'ENOSPC')
    return {
      status: 507,
      error: 'the disk holding the data directory is full: free space there and try again; nothing was changed',
      details: [],
    };
  return { status: 500, error: 'internal error (see the server log)', details: [] };
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
