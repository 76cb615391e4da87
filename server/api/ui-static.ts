import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { allow } from './roles';

const RESERVED = /^\/(api|listen|metrics|healthz)(\/|$)/;

/**
 * The built UI (`ui/dist`) at `/`, with the SPA fallback: a GET that is not an API path and asks for HTML gets
 * index.html. Until the UI is built, `/` answers with a short note instead.
 */
export function uiRoutes(uiDir: string): Router {
  const router = Router();
  const index = path.join(uiDir, 'index.html');
  router.use(express.static(uiDir, { index: 'index.html', fallthrough: true }));
  router.get('/{*path}', allow('public'), (req, res, next) => {
    if (RESERVED.test(req.path) || !req.accepts('html')) return next();
    if (existsSync(index)) return res.sendFile(index);
    if (req.path !== '/') return next();
    res
      .type('html')
      .send(
        '<!doctype html><meta charset="utf-8"><title>Sluice</title>' +
          '<p>The Sluice UI is not built yet (<code>ui/dist</code> is missing). The API is served under ' +
          '<a href="/api/flows"><code>/api</code></a>; see the README.</p>',
      );
  });
  return router;
}
