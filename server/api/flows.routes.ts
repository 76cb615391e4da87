import { type Request, type RequestHandler, Router } from 'express';
import multer from 'multer';
import { type Flow, toCurrentVersion } from '../../flows/flow-schema';
import { parseFlowJson } from '../flow-loader';
import { isMissingSensitiveValue, maskSensitive, stripSensitive } from '../parameters/sensitive-values';
import { ConflictError, type FlowManager, FlowValidationError, type SaveOutcome } from '../runtime/flow-manager';
import { HttpError } from './http-errors';
import { relationshipsByProcessor } from './processors.routes';
import { jsonBody, queryString } from './request';
import { allow } from './roles';

/** Flow definitions: list, create, read, replace, delete, validate, import, export, start and stop. */
export function flowRoutes(manager: FlowManager, maxBodyBytes: number): Router {
  const router = Router();
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBodyBytes, files: 1, fields: 20, fieldSize: 64 * 1024 },
  });
  const { registry, allowedDirs = [], authenticated = false } = manager.options;

  router.get('/flows', allow('viewer'), (_req, res) => {
    res.json(manager.list());
  });

  /** A flow that does not validate is stored too (201 with `{saved, valid: false, issues}`); see saved(). */
  router.post('/flows', allow('admin'), async (req, res) => {
    const outcome = await manager.createKeepingInvalid(jsonBody(req));
    const id = outcome.valid ? outcome.flow.id : outcome.id;
    res.status(201).location(`/api/flows/${id}`).json(saved(outcome));
  });

  /** Checks a flow without saving it: always 200 with `valid` and the path-named issues. */
  router.post('/flows/validate', allow('viewer', { changes: false }), (req, res) => {
    const body = jsonBody(req);
    res.json({
      ...manager.validate(body),
      relationships: relationshipsByProcessor(body, registry, allowedDirs, authenticated),
    });
  });

  /**
   * A flow JSON body, or a multipart upload with one file; `?replace=true` replaces a flow with the same id. An
   * invalid flow is refused (400), except one whose only problem is sensitive parameters without a value (an
   * export carries none): it is saved as invalid, `{saved, valid: false, issues}`, until the values are set.
   */
  router.post('/flows/import', allow('admin'), malformedUploadIs400(upload.any()), async (req, res) => {
    const replace = parseBoolean(queryString(req, 'replace'), 'replace');
    const body = importedBody(req);
    try {
      const { flow, created } = await manager.import(body, replace);
      res
        .status(created ? 201 : 200)
        .location(`/api/flows/${flow.id}`)
        .json(maskSensitive(flow));
    } catch (err) {
      const onlySecretsMissing =
        err instanceof FlowValidationError && err.issues.length > 0 && err.issues.every(isMissingSensitiveValue);
      if (!onlySecretsMissing) throw err;
      const id = (body as { id: string }).id;
      const exists = manager.has(id);
      if (exists && !replace)
        throw new ConflictError(`a flow with id "${id}" already exists; add ?replace=true to replace it`);
      const outcome = exists ? await manager.replaceKeepingInvalid(id, body) : await manager.createKeepingInvalid(body);
      res
        .status(exists ? 200 : 201)
        .location(`/api/flows/${id}`)
        .json(saved(outcome));
    }
  });

  router.get('/flows/:id', allow('viewer'), (req, res) => {
    res.json(manager.get(req.params.id));
  });

  router.put('/flows/:id', allow('admin'), async (req, res) => {
    res.json(saved(await manager.replaceKeepingInvalid(req.params.id, jsonBody(req))));
  });

  router.delete('/flows/:id', allow('admin'), async (req, res) => {
    await manager.remove(req.params.id);
    res.status(204).end();
  });

  /**
   * The flow as saved, in the current format version (a version 1 file is the same flow as version 2), without
   * the values of sensitive parameters (their names stay, marked sensitive).
   */
  router.get('/flows/:id/export', allow('viewer'), (req, res) => {
    const flow = stripSensitive(toCurrentVersion(manager.get(req.params.id) as Flow));
    res
      .type('application/json')
      .attachment(`${req.params.id}.json`)
      .send(`${JSON.stringify(flow, null, 2)}\n`);
  });

  router.post('/flows/:id/start', allow('operator'), async (req, res) => {
    const { failures } = await manager.start(req.params.id);
    res.json({ flowId: req.params.id, state: manager.status(req.params.id).state, failures });
  });

  router.post('/flows/:id/stop', allow('operator'), async (req, res) => {
    await manager.stop(req.params.id);
    res.json({ flowId: req.params.id, state: manager.status(req.params.id).state });
  });

  router.post('/flows/:id/processors/:pid/start', allow('operator'), async (req, res) => {
    await manager.startProcessor(req.params.id, req.params.pid);
    res.json(processorState(manager, req.params.id, req.params.pid));
  });

  router.post('/flows/:id/processors/:pid/stop', allow('operator'), async (req, res) => {
    await manager.stopProcessor(req.params.id, req.params.pid);
    res.json(processorState(manager, req.params.id, req.params.pid));
  });

  /**
   * Every processor of a group at any depth (its ports and funnels too): `:group` is the path of group ids with
   * "/" between levels (`intake/checks`). 404 for a group the flow has not, 409 as for one processor.
   */
  router.post('/flows/:id/groups/*group/start', allow('operator'), async (req, res) => {
    const group = groupPath(req.params.group);
    const { processorIds, failures } = await manager.startGroup(req.params.id, group);
    res.json(groupState(manager, req.params.id, group, processorIds, failures));
  });

  router.post('/flows/:id/groups/*group/stop', allow('operator'), async (req, res) => {
    const group = groupPath(req.params.group);
    const { processorIds } = await manager.stopGroup(req.params.id, group);
    res.json(groupState(manager, req.params.id, group, processorIds));
  });

  return router;
}

/** The group ids of a `*group` wildcard (its segments; an encoded "/" within one splits it too). */
function groupPath(param: string | string[]): string[] {
  return (Array.isArray(param) ? param : [param]).flatMap((s) => s.split('/')).filter((s) => s !== '');
}

function groupState(
  manager: FlowManager,
  flowId: string,
  group: string[],
  processorIds: string[],
  failures: { processorId: string; error: string }[] = [],
) {
  const status = manager.status(flowId).processors;
  const processors = Object.fromEntries(processorIds.map((pid) => [pid, status[pid]?.state]));
  return { flowId, group: group.join('/'), processors, failures };
}

/**
 * A valid flow is answered with the flow as saved; an invalid one (stored all the same, without an engine:
 * it cannot start until a valid definition is saved) with every issue found, each naming its JSON path.
 */
function saved(outcome: SaveOutcome) {
  return outcome.valid
    ? maskSensitive(outcome.flow)
    : { saved: true, valid: false, id: outcome.id, issues: outcome.issues };
}

function processorState(manager: FlowManager, flowId: string, processorId: string) {
  return { flowId, processorId, state: manager.status(flowId).processors[processorId]?.state };
}

/**
 * Multer passes the multipart parser's own errors on as plain errors (a truncated upload: "Unexpected end of
 * form"): they are the client's fault, so 400 naming the cause, not 500.
 */
function malformedUploadIs400(parse: RequestHandler): RequestHandler {
  return (req, res, next) => {
    parse(req, res, (err?: unknown) => {
      if (err === undefined || err instanceof multer.MulterError || !(err instanceof Error)) return next(err);
      next(new HttpError(400, `malformed multipart upload: ${err.message}`, [{ path: '', message: err.message }]));
    });
  };
}

function importedBody(req: Request): unknown {
  const files = (req.files ?? []) as Express.Multer.File[];
  if (files.length > 0) {
    const file = files[0]!;
    const parsed = parseFlowJson(file.buffer.toString('utf8'));
    if (parsed.ok) return parsed.value;
    const message = parsed.issues[0]!.message.replace(/^invalid JSON: /, '');
    throw new HttpError(400, `uploaded file "${file.originalname}" is not JSON: ${message}`, [{ path: '', message }]);
  }
  if (req.is('multipart/form-data')) throw new HttpError(400, 'the upload holds no file; send the flow as a file part');
  return jsonBody(req);
}

function parseBoolean(text: string | undefined, name: string): boolean {
  if (text === undefined || text === '' || text === 'false') return false;
  if (text === 'true') return true;
  throw new HttpError(400, `query parameter "${name}" must be true or false`, [
    { path: `/query/${name}`, message: 'must be true or false' },
  ]);
}
