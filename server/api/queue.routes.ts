import { Router } from 'express';
import type { FlowManager } from '../runtime/flow-manager';
import { hexDump } from './hex-dump';
import { HttpError } from './http-errors';
import { queryInt, queryString } from './request';
import { allow } from './roles';

export const DEFAULT_CONTENT_CAP = 1024 * 1024;

/** The queue inspector: what waits in a connection, one FlowFile's content, and emptying the queue. */
export function queueRoutes(manager: FlowManager, contentCap = DEFAULT_CONTENT_CAP): Router {
  const router = Router();
  const base = '/flows/:id/connections/:cid/queue';

  router.get(base, allow('viewer'), async (req, res) => {
    const limit = queryInt(req, 'limit', 1, 1000, 100);
    const { id, cid } = req.params;
    const connection = manager.status(id).connections[cid];
    const flowFiles = await manager.listQueue(id, cid, limit);
    res.json({
      flowId: id,
      connectionId: cid,
      count: connection?.count ?? 0,
      bytes: connection?.bytes ?? 0,
      flowFiles,
    });
  });

  /**
   * One waiting FlowFile's content, at most `contentCap` bytes (X-Sluice-Truncated says whether it was cut).
   * Raw by default with the `mime.type` attribute as Content-Type; `?format=text` (UTF-8) or `?format=hex`.
   */
  router.get(`${base}/:ffid/content`, allow('admin'), async (req, res) => {
    const format = queryString(req, 'format') ?? 'raw';
    if (format !== 'raw' && format !== 'text' && format !== 'hex')
      throw new HttpError(400, 'query parameter "format" must be raw, text or hex', [
        { path: '/query/format', message: 'must be one of: "raw", "text", "hex"' },
      ]);
    const ff = await manager.queuedFlowFile(req.params.id, req.params.cid, req.params.ffid);
    const truncated = ff.content.length > contentCap;
    const body = truncated ? ff.content.subarray(0, contentCap) : ff.content;
    res.set({
      'X-Sluice-Content-Size': String(ff.content.length),
      'X-Sluice-Truncated': String(truncated),
      // Content is untrusted: never let a browser run it on this origin.
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'no-store',
    });
    if (format === 'text') res.type('text/plain; charset=utf-8').send(body.toString('utf8'));
    else if (format === 'hex') res.type('text/plain; charset=utf-8').send(hexDump(body));
    else {
      const mime = ff.attributes['mime.type'];
      res.attachment(ff.attributes.filename ?? ff.id);
      res.type(mime && /^[\w.+-]+\/[\w.+-]+(;.*)?$/.test(mime) ? mime : 'application/octet-stream').send(body);
    }
  });

  /** Drops every FlowFile waiting in the connection (not those a session holds), each with a DROP event. */
  router.delete(base, allow('operator'), async (req, res) => {
    const dropped = await manager.emptyQueue(req.params.id, req.params.cid);
    res.json({ flowId: req.params.id, connectionId: req.params.cid, dropped });
  });

  return router;
}
