import { Router } from 'express';
import type { WorkerSummary } from '../cluster/cluster-view';
import { allow } from './roles';

/**
 * `GET /workers` (cluster mode): every worker heard from in the last minutes, with its last-seen time,
 * whether it is alive and the primary, and the flows it runs; `primary` names the primary, or null.
 */
export function workersRoutes(workers: () => WorkerSummary[]): Router {
  const router = Router();
  router.get('/workers', allow('viewer'), (_req, res) => {
    const list = workers();
    res.json({ workers: list, primary: list.find((w) => w.primary)?.name ?? null });
  });
  return router;
}
