import { Router } from 'express';
import type { FlowManager } from '../runtime/flow-manager';
import { queryInt } from './request';
import { allow } from './roles';

/**
 * A connection's quarantine: FlowFiles whose sessions kept failing (schedule.quarantineAfter), listed with
 * the reason in their attributes, put back into the connection once the cause is fixed, or dropped.
 */
export function quarantineRoutes(manager: FlowManager): Router {
  const router = Router();
  const base = '/flows/:id/connections/:cid/quarantine';

  router.get(base, allow('viewer'), async (req, res) => {
    const { id, cid } = req.params;
    const flowFiles = await manager.listQuarantine(id, cid, queryInt(req, 'limit', 1, 1000, 100));
    res.json({
      flowId: id,
      connectionId: cid,
      count: manager.status(id).connections[cid]?.quarantined ?? 0,
      flowFiles,
    });
  });

  router.post(`${base}/requeue`, allow('operator'), async (req, res) => {
    const { id, cid } = req.params;
    res.json({ flowId: id, connectionId: cid, requeued: await manager.releaseQuarantine(id, cid, 'requeue') });
  });

  router.delete(base, allow('operator'), async (req, res) => {
    const { id, cid } = req.params;
    res.json({ flowId: id, connectionId: cid, dropped: await manager.releaseQuarantine(id, cid, 'drop') });
  });

  return router;
}
