import type { RequestHandler } from 'express';
import { redactDeep } from './redactor';

/**
 * Every JSON answer of the API with sensitive values taken out (server/secrets/redactor.ts), whatever route made
 * it: a last line of defence behind the routes' own masking (flows show `"set"`, never a value).
 */
export function redactedAnswers(): RequestHandler {
  return (_req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body?: unknown) => json(redactDeep(body));
    next();
  };
}
