import express from 'express';
import request from 'supertest';
import { describe, expect, test } from 'vitest';
import { ConflictError, FlowValidationError, NotFoundError } from '../runtime/errors';
import { errorHandler, HttpError, notFoundHandler } from './http-errors';

function appThrowing(err: unknown) {
  const logged: object[] = [];
  const logger = { info() {}, warn() {}, debug() {}, error: (obj: object) => logged.push(obj) };
  const app = express();
  app.get('/boom', () => {
    throw err;
  });
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return { app, logged };
}

describe('errorHandler', () => {
  test('an unexpected error is a 500 without internals; the log has them', async () => {
    const { app, logged } = appThrowing(new Error('database password is hunter2'));
    const res = await request(app).get('/boom').expect(500);
    expect(res.body).toEqual({ error: 'internal error (see the server log)', details: [] });
    expect(JSON.stringify(logged)).toContain('hunter2');
  });

  test.each([
    [new HttpError(418, 'teapot', [{ path: '/x', message: 'hot' }]), 418, 'teapot', [{ path: '/x', message: 'hot' }]],
    [
      new FlowValidationError([{ path: '/id', message: 'bad' }]),
      400,
      'invalid flow',
      [{ path: '/id', message: 'bad' }],
    ],
    [new NotFoundError('no flow "x"'), 404, 'no flow "x"', []],
    [
      new ConflictError('busy', [{ path: '/connections', message: 'full' }]),
      409,
      'busy',
      [{ path: '/connections', message: 'full' }],
    ],
  ])('%s → %i', async (err, status, error, details) => {
    const { app, logged } = appThrowing(err);
    const res = await request(app).get('/boom').expect(status);
    expect(res.body).toEqual({ error, details });
    expect(logged).toEqual([]);
  });

  test('unknown routes are 404 JSON', async () => {
    const { app } = appThrowing(new Error('unused'));
    expect((await request(app).delete('/nowhere').expect(404)).body).toEqual({
      error: 'no route DELETE /nowhere',
      details: [],
    });
  });
});
