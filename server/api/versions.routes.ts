/**
 * Flow versions (server/versions): the list, a flow at a version, the structural diff between two versions (or
 * a version and the current flow), and revert, which saves a version's content through the normal save path
 * and so makes a new version ("Revert to <hash>").
 */
import { Router } from 'express';
import { maskSensitive } from '../parameters/sensitive-values';
import type { FlowManager } from '../runtime/flow-manager';
import { type FlowHistory, VersionNotFoundError } from '../versions/flow-history';
import { diffFlowStructure } from '../versions/flow-structural-diff';
import { withSaveContext } from '../versions/save-context';
import { HttpError } from './http-errors';
import { queryInt, queryString } from './request';
import { allow } from './roles';

export function versionRoutes(manager: FlowManager, history: FlowHistory): Router {
  const router = Router();

  router.get('/flows/:id/versions', allow('viewer'), async (req, res) => {
    const limit = queryInt(req, 'limit', 1, 1000, 50);
    const skip = queryInt(req, 'skip', 0, Number.MAX_SAFE_INTEGER, 0);
    res.json(await history.list(req.params.id, { limit, skip }));
  });

  router.get('/flows/:id/versions/:version', allow('viewer'), async (req, res) => {
    const { flow } = await found(history.show(req.params.id, req.params.version));
    res.json(maskSensitive(flow));
  });

  /** `?from=<version>&to=<version|current>` (to: current by default). */
  router.get('/flows/:id/diff', allow('viewer'), async (req, res) => {
    const id = req.params.id;
    const from = queryString(req, 'from');
    if (!from)
      throw new HttpError(400, 'query parameter "from" is required: a version', [
        { path: '/query/from', message: 'is required' },
      ]);
    const to = queryString(req, 'to') || 'current';
    const before = (await found(history.show(id, from))).flow;
    const after = to === 'current' ? await history.current(id) : (await found(history.show(id, to))).flow;
    if (after === undefined) throw new HttpError(404, `flow "${id}" has no current version (it was removed)`);
    res.json(diffFlowStructure(before, after));
  });

  router.post('/flows/:id/versions/:version/revert', allow('admin'), async (req, res) => {
    const id = req.params.id;
    const { version, flow } = await found(history.show(id, req.params.version));
    const plain = history.options.toPlain ? history.options.toPlain(id, flow) : flow;
    const outcome = await withSaveContext({ message: `Revert to ${version.slice(0, 7)}` }, () =>
      manager.has(id) ? manager.replaceKeepingInvalid(id, plain) : manager.createKeepingInvalid(plain),
    );
    res.json(
      outcome.valid
        ? maskSensitive(outcome.flow)
        : { saved: true, valid: false, id: outcome.id, issues: outcome.issues },
    );
  });

  return router;
}

async function found<T>(lookup: Promise<T>): Promise<T> {
  try {
    return await lookup;
  } catch (err) {
    if (err instanceof VersionNotFoundError) throw new HttpError(404, err.message);
    throw err;
  }
}
