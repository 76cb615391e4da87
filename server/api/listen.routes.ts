import { Router } from 'express';
import { dispatchHttpListener } from '../runtime/http-listeners';
import { sendError } from './http-errors';
import { allow } from './roles';

/**
 * `/listen/:processorId`: data ingress for ListenHTTP processors in mounted mode (any method; sub-paths are
 * passed on). The request body is not parsed here: the processor reads the stream. Pushing data into a flow is an
 * operator's right (with credentials required, a script uses an operator's API token).
 */
export function listenRoutes(): Router {
  const router = Router();
  router.all('/listen/:processorId{/*rest}', allow('operator'), (req, res) => {
    const processorId = String(req.params.processorId);
    if (!dispatchHttpListener(processorId, req, res))
      sendError(res, 404, `no ListenHTTP processor "${processorId}" is listening here`);
  });
  return router;
}
