/**
 * Query parameters checked against a JSON Schema with the product's ajv: a parameter declared an integer is
 * converted first when it is written as one, everything else stays a string. A bad request is a 400 whose
 * details name each parameter at `/query/<name>`; an unknown or repeated parameter is one too.
 */
import type { Request } from 'express';
import { createAjv, toIssues } from '../validation/ajv';
import { HttpError } from './http-errors';

interface QuerySchema {
  type: 'object';
  additionalProperties: false;
  required?: string[];
  properties: Record<string, { type: 'string' | 'integer'; [keyword: string]: unknown }>;
}

const ajv = createAjv();

/** A reader of `req.query` that returns it typed as `T` or throws the 400. */
export function queryReader<T>(schema: QuerySchema): (req: Request) => T {
  const validate = ajv.compile(schema);
  return (req) => {
    const query: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(req.query)) {
      const integer = schema.properties[name]?.type === 'integer';
      query[name] = integer && typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value;
    }
    if (validate(query)) return query as T;
    const known = Object.keys(schema.properties).join(', ');
    const details = toIssues(validate.errors, '/query').map((issue) => {
      if (issue.message.startsWith('unknown property'))
        return { ...issue, message: `is not a parameter of this request; expected one of: ${known}` };
      const missing = /^must have required property "(.+)"$/.exec(issue.message)?.[1];
      return missing ? { path: `/query/${missing}`, message: 'is required' } : issue;
    });
    const first = details[0]!;
    throw new HttpError(400, `query parameter "${first.path.split('/')[2] ?? ''}" ${first.message}`, details);
  };
}
