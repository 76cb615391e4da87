import { Router } from 'express';
import type { FlowManager } from '../runtime/flow-manager';
import { allow } from './roles';

/** `GET /flows/:id/status`: the engine's FlowStatus plus the flow's state, validation and held processors. */
export function statusRoutes(manager: FlowManager): Router {
  const router = Router();
  router.get('/flows/:id/status', allow('viewer'), (req, res) => {
    res.json(manager.status(req.params.id));
  });
  return router;
}
