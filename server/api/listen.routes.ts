import { type RequestHandler, Router } from 'express';
import { dispatchHttpListener } from '../runtime/http-listeners';
import { sendError } from './http-errors';

/**
 * `/listen/:processorId`: data ingress for ListenHTTP processors in mounted mode (any method; sub-paths are
 * passed on). The request body is not parsed here: the processor reads the stream.
 */
export function listenRoutes(auth: RequestHandler): Router {
  const router = Router();
  router.all('/listen/:processorId{/*rest}', auth, (req, res) => {
    const processorId = String(req.params.processorId);
    if (!dispatchHttpListener(processorId, req, res))
      sendError(res, 404, `no ListenHTTP processor "${processorId}" is listening here`);
  });
  return router;
}
