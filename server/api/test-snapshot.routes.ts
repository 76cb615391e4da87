/**
 * `POST /api/flows/:id/tests/snapshot` (operator, as running the tests): "pin these FlowFiles as a test" asks
 * what the flow as saved now does with them: they enter the connection `at`, its destination runs alone, in
 * process (nothing of the running flow is touched), and the answer lists what it sent on each relationship
 * (server/flow-tests/snapshot.ts). The canvas turns that into a test case's expectations.
 */
import { Router } from 'express';
import type { ResolvedFlow } from '../../flows/flow-schema';
import { checkSnapshotRequest, snapshotRun } from '../flow-tests/snapshot';
import type { FlowManager } from '../runtime/flow-manager';
import { validateFlow } from '../validation/flow-validator';
import { HttpError } from './http-errors';
import { jsonBody } from './request';
import { allow } from './roles';

export function testSnapshotRoutes(manager: FlowManager): Router {
  const router = Router();
  const { registry, allowedDirs = [], authenticated = false, parameters } = manager.options;
  /** Flows with a snapshot running: one at a time per flow. */
  const running = new Set<string>();

  /** The flow as saved and resolved (404 for no such flow, 409 when it does not validate). */
  const currentFlow = (id: string): ResolvedFlow => {
    const json = manager.get(id);
    const live = manager.engine(id)?.flow;
    if (live) return structuredClone(live);
    const check = validateFlow(json, registry, { allowedDirs, authenticated, parameters, registerSecrets: false });
    if (!check.ok) throw new HttpError(409, `flow "${id}" does not validate: nothing can run in it`, check.issues);
    return check.resolved;
  };

  router.post('/flows/:id/tests/snapshot', allow('operator'), async (req, res) => {
    const id = req.params.id;
    const flow = currentFlow(id);
    const request = checkSnapshotRequest(jsonBody(req));
    if (!request.ok) throw new HttpError(400, 'invalid snapshot request', request.issues);
    if (running.has(id)) throw new HttpError(409, `a snapshot of flow "${id}" is running already`);
    running.add(id);
    try {
      const result = await snapshotRun(flow, request.value, { registry, allowedDirs });
      if (!result.ok) throw new HttpError(400, 'invalid snapshot request', result.issues);
      res.json(result.answer);
    } finally {
      running.delete(id);
    }
  });

  return router;
}
