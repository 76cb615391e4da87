/**
 * The debug sidebar's API: watching a connection (tap), injecting a FlowFile by hand, and the flow's debug log.
 * Viewing follows the queue inspector's guards: anyone who may list a queue (viewer) sees tap entries' attributes
 * and sizes, content only an admin (as queued content); injecting changes a queue: operator and above.
 */
import { Router } from 'express';
import type { FlowManager } from '../runtime/flow-manager';
import { HttpError } from './http-errors';
import { jsonBody, queryInt, queryString } from './request';
import { accessOf, allow, hasRole } from './roles';
import { TapStream } from './tap-stream';
import { parseInjectBody, wireDebugEntry, wireTapSnapshot } from './tap-wire';

/** The role that may see FlowFile content (the queue inspector's content route). */
const CONTENT_ROLE = 'admin';

export function tapRoutes(manager: FlowManager, stream = new TapStream(manager)): Router {
  const router = Router();
  const tap = '/flows/:id/connections/:cid/tap';
  const mayReadContent = (req: Parameters<typeof accessOf>[0]) => {
    const role = accessOf(req)?.principal?.role;
    return role !== undefined && hasRole(role, CONTENT_ROLE);
  };

  // Watching changes nothing in the flow: not audited (a client may re-post it to keep the tap alive).
  router.post(tap, allow('viewer', { changes: false }), (req, res) => {
    const { id, cid } = req.params;
    const watched = manager.taps(id, cid).watch(cid);
    res.json({ flowId: id, ...wireTapSnapshot(watched.snapshot(), mayReadContent(req)) });
  });

  /** The ring, newest first, with the kept content (base64, up to 64 KiB) for pinning entries as a test. */
  router.get(tap, allow('viewer'), (req, res) => {
    const { id, cid } = req.params;
    const watched = manager.taps(id, cid).get(cid);
    if (!watched) throw new HttpError(404, `connection "${cid}" of flow "${id}" is not watched`);
    res.json({ flowId: id, ...wireTapSnapshot(watched.snapshot(), mayReadContent(req), true) });
  });

  router.delete(tap, allow('viewer', { changes: false }), (req, res) => {
    const { id, cid } = req.params;
    const stopped = manager.taps(id, cid).unwatch(cid);
    res.json({ flowId: id, connectionId: cid, stopped });
  });

  router.get('/flows/:id/taps/stream', allow('viewer'), (req, res) => {
    stream.open(req, res, mayReadContent(req));
  });

  router.post('/flows/:id/connections/:cid/inject', allow('operator'), async (req, res) => {
    const { id, cid } = req.params;
    const body = parseInjectBody(jsonBody(req));
    const user = accessOf(req)?.principal?.username ?? null;
    const ff = await manager.inject(id, cid, { ...body, user });
    res.status(201).json({ flowId: id, connectionId: cid, flowFileId: ff.id, size: ff.size });
  });

  router.get('/flows/:id/debug', allow('viewer'), (req, res) => {
    const processorId = queryString(req, 'processorId') || undefined;
    const limit = queryInt(req, 'limit', 1, 1000, 100);
    const show = mayReadContent(req);
    const entries = manager.debugLog(req.params.id).entries({ processorId, limit });
    res.json({ flowId: req.params.id, entries: entries.map((e) => wireDebugEntry(e, show)) });
  });

  router.delete('/flows/:id/debug', allow('operator'), (req, res) => {
    manager.debugLog(req.params.id).clear();
    res.json({ flowId: req.params.id, cleared: true });
  });

  return router;
}
