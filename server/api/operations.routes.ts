/**
 * Daily operation across flows (viewer role, like the status routes): `GET /summary` (every processor and
 * connection with its status), `GET /bulletins` (the bulletin board, newest first, pollable with `after`) and
 * `GET /search` (components by name, id, type or property value). Query parameters are checked by schema.
 */
import { Router } from 'express';
import { type BoardBulletin, BULLETIN_LEVELS, type BulletinLevel, type BulletinPage } from '../runtime/bulletin-board';
import { type ComponentLocation, componentsOf } from '../runtime/flow-components';
import type { FlowManager } from '../runtime/flow-manager';
import { SEARCH_LIMIT_MAX, searchFlows } from '../runtime/flow-search';
import { buildSummary } from '../runtime/operations-summary';
import { queryReader } from './query-schema';
import { allow } from './roles';

const ID = { type: 'string', minLength: 1, maxLength: 200 } as const;

const summaryQuery = queryReader<{ flowId?: string }>({
  type: 'object',
  additionalProperties: false,
  properties: { flowId: ID },
});

const bulletinQuery = queryReader<{
  flowId?: string;
  processorId?: string;
  level?: BulletinLevel;
  q?: string;
  after?: number;
  limit?: number;
}>({
  type: 'object',
  additionalProperties: false,
  properties: {
    flowId: ID,
    processorId: ID,
    level: { type: 'string', enum: [...BULLETIN_LEVELS] },
    q: { type: 'string', maxLength: 200 },
    after: { type: 'integer', minimum: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
  },
});

const searchQuery = queryReader<{ q: string; limit?: number }>({
  type: 'object',
  additionalProperties: false,
  required: ['q'],
  properties: {
    q: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    limit: { type: 'integer', minimum: 1, maximum: SEARCH_LIMIT_MAX },
  },
});

/** A bulletin with where its processor is drawn now (absent when the processor or its flow is gone). */
export type LocatedBulletin = BoardBulletin & { location?: ComponentLocation };

/** `GET /api/bulletins`. */
export type BulletinsAnswer = Omit<BulletinPage, 'bulletins'> & { bulletins: LocatedBulletin[] };

export function operationsRoutes(manager: FlowManager): Router {
  const router = Router();

  router.get('/summary', allow('viewer'), (req, res) => {
    const { flowId } = summaryQuery(req);
    res.json(buildSummary(manager, { flowId }));
  });

  router.get('/bulletins', allow('viewer'), (req, res) => {
    const { q, ...filters } = bulletinQuery(req);
    const page = manager.bulletins.query({ ...filters, text: q, limit: filters.limit ?? 200 });
    const where = locator(manager);
    const bulletins: LocatedBulletin[] = page.bulletins.map((b) => {
      const location = where(b.flowId, b.processorId);
      return location ? { ...b, location } : b;
    });
    res.json({ ...page, bulletins } satisfies BulletinsAnswer);
  });

  router.get('/search', allow('viewer'), (req, res) => {
    const { q, limit } = searchQuery(req);
    res.json(searchFlows(manager, q, limit ?? 50));
  });

  return router;
}

/** Where each processor of each flow is drawn, read once per flow per request. */
function locator(manager: FlowManager): (flowId: string, globalId: string) => ComponentLocation | undefined {
  const byFlow = new Map<string, Map<string, ComponentLocation>>();
  return (flowId, globalId) => {
    let map = byFlow.get(flowId);
    if (!map) {
      map = new Map();
      if (manager.has(flowId))
        for (const c of componentsOf(manager.get(flowId)))
          if (c.kind === 'processor') map.set(c.globalId, { groups: c.groups, groupNames: c.groupNames, id: c.id });
      byFlow.set(flowId, map);
    }
    return map.get(globalId);
  };
}
