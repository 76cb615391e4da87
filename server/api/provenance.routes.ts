import { Router } from 'express';
import { PROVENANCE_EVENT_TYPES, type ProvenanceEventType, type ProvenanceStore } from '../engine/provenance';
import { HttpError } from './http-errors';
import { queryInt, queryString, queryTime } from './request';

/** Provenance search, one event, and the lineage graph of a FlowFile. */
export function provenanceRoutes(provenance: ProvenanceStore): Router {
  const router = Router();

  /** Newest first; every filter optional. */
  router.get('/provenance', async (req, res) => {
    const type = queryString(req, 'type');
    if (type !== undefined && !PROVENANCE_EVENT_TYPES.includes(type as ProvenanceEventType))
      throw new HttpError(400, `unknown provenance event type "${type}"`, [
        { path: '/query/type', message: `must be one of: ${PROVENANCE_EVENT_TYPES.join(', ')}` },
      ]);
    const from = queryTime(req, 'from');
    const to = queryTime(req, 'to');
    if (from !== undefined && to !== undefined && from > to)
      throw new HttpError(400, '"from" is after "to"', [{ path: '/query/from', message: 'must not be after "to"' }]);
    const events = await provenance.query({
      flowId: queryString(req, 'flowId') || undefined,
      flowFileId: queryString(req, 'flowFileId') || undefined,
      componentId: queryString(req, 'componentId') || undefined,
      type: type as ProvenanceEventType | undefined,
      from,
      to,
      limit: queryInt(req, 'limit', 1, 10_000, 100),
    });
    res.json(events);
  });

  /** Every ancestor and descendant of a FlowFile: `nodes` (events) and `edges`, ready to draw. */
  router.get('/provenance/lineage/:flowFileId', async (req, res) => {
    const lineage = await provenance.lineage(req.params.flowFileId);
    if (lineage.events.length === 0)
      throw new HttpError(404, `no provenance events for FlowFile "${req.params.flowFileId}"`);
    res.json(lineage);
  });

  router.get('/provenance/:eventId', async (req, res) => {
    const id = Number(req.params.eventId);
    if (!Number.isSafeInteger(id) || id < 1)
      throw new HttpError(400, 'an event id is a positive integer', [
        { path: '/eventId', message: 'must be a positive integer' },
      ]);
    const event = await provenance.get(id);
    if (!event) throw new HttpError(404, `no provenance event ${id}`);
    res.json(event);
  });

  return router;
}
