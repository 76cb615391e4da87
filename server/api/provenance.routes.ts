import { Router } from 'express';
import { PROVENANCE_EVENT_TYPES, type ProvenanceEventType, type ProvenanceStore } from '../engine/provenance';
import type { FlowManager } from '../runtime/flow-manager';
import { HttpError } from './http-errors';
import { queryInt, queryString, queryTime } from './request';
import { allow } from './roles';

/**
 * Provenance search, one event, the lineage graph of a FlowFile, the content before and after an event, and
 * replay (through the FlowManager: the API never touches a queue).
 */
export function provenanceRoutes(provenance: ProvenanceStore, manager: FlowManager): Router {
  const router = Router();

  /** Newest first; every filter optional. */
  router.get('/provenance', allow('viewer'), async (req, res) => {
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
  router.get('/provenance/lineage/:flowFileId', allow('viewer'), async (req, res) => {
    const lineage = await provenance.lineage(req.params.flowFileId);
    if (lineage.events.length === 0)
      throw new HttpError(404, `no provenance events for FlowFile "${req.params.flowFileId}"`);
    res.json(lineage);
  });

  router.get('/provenance/:eventId', allow('viewer'), async (req, res) => {
    const id = eventIdOf(req.params.eventId);
    const event = await provenance.get(id);
    if (!event) throw new HttpError(404, `no provenance event ${id}`);
    res.json(event);
  });

  /** The content before (`input`) or after (`output`) an event; `?download=1` saves it as a file. */
  router.get('/provenance/:eventId/content/:side', allow('admin'), async (req, res) => {
    const id = eventIdOf(req.params.eventId);
    const side = req.params.side;
    if (side !== 'input' && side !== 'output')
      throw new HttpError(400, 'the side is "input" or "output"', [
        { path: '/side', message: 'must be input or output' },
      ]);
    const { event, content } = await manager.eventContent(id, side);
    res.setHeader('Content-Type', event.attributes['mime.type'] || 'application/octet-stream');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (req.query.download !== undefined)
      res.setHeader('Content-Disposition', `attachment; filename="event-${id}-${side}.bin"`);
    else res.setHeader('Content-Security-Policy', "default-src 'none'");
    res.send(content);
  });

  /** Replays an event: its FlowFile, as it was, goes back into the connection it came from (REPLAY event). */
  router.post('/provenance/:eventId/replay', allow('operator'), async (req, res) => {
    const id = eventIdOf(req.params.eventId);
    const body = (req.body ?? {}) as { connectionId?: unknown };
    if (body.connectionId !== undefined && typeof body.connectionId !== 'string')
      throw new HttpError(400, 'connectionId is a string', [{ path: '/connectionId', message: 'must be a string' }]);
    const replayed = await manager.replay(id, body.connectionId);
    res.status(201).json({ eventId: id, ...replayed });
  });

  return router;
}

function eventIdOf(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1)
    throw new HttpError(400, 'an event id is a positive integer', [
      { path: '/eventId', message: 'must be a positive integer' },
    ]);
  return id;
}
