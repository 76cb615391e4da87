import { type Request, type Response, Router } from 'express';
import { type FlowManager, ServiceInUseError } from '../runtime/flow-manager';
import type { ServiceDefinition } from '../services/service-contract';
import { HttpError } from './http-errors';
import { allow } from './roles';

/** What the palette's services section and the service config form read about a service type. */
export interface ServiceDescriptor {
  type: string;
  description: string;
  /** The kinds a processor property may ask for that this type satisfies. */
  provides: readonly string[];
  /** The config's JSON Schema (the form is generated from it). */
  config: object;
}

export function describeService(def: ServiceDefinition): ServiceDescriptor {
  return { type: def.type, description: def.description, provides: def.provides, config: def.config };
}

/** The service path of a `*service` wildcard: group ids, then the service id (`groupA/rabbit`). */
function servicePath(param: string | string[]): string[] {
  return (Array.isArray(param) ? param : [param]).flatMap((s) => s.split('/')).filter((s) => s !== '');
}

/** Service types, and enabling or disabling a flow's service (see docs/services.md). */
export function serviceRoutes(manager: FlowManager): Router {
  const router = Router();
  const services = manager.options.registry.services;

  router.get('/services', allow('viewer'), (_req, res) => {
    res.json(services.list().map(describeService));
  });

  router.get('/services/:type', allow('viewer'), (req, res) => {
    const def = services.get(req.params.type);
    if (!def)
      throw new HttpError(
        404,
        `no service type "${req.params.type}"; known types: ${services.types().join(', ') || 'none'}`,
      );
    res.json(describeService(def));
  });

  const toggle = (enabled: boolean) => async (req: Request<{ id: string; service: string[] }>, res: Response) => {
    const path = servicePath(req.params.service);
    try {
      const result = await manager.setServiceEnabled(req.params.id, path, enabled);
      const state = manager.status(req.params.id).services[result.serviceId]?.state;
      res.json({
        flowId: req.params.id,
        service: path.join('/'),
        serviceId: result.serviceId,
        enabled,
        state,
        valid: result.valid,
        ...(!result.valid && { issues: result.issues }),
      });
    } catch (err) {
      if (!(err instanceof ServiceInUseError)) throw err;
      res.status(409).json({ error: err.message, details: [], processors: err.processors, services: err.services });
    }
  };

  /** Sets `enabled: true` in the stored definition and applies it live (the service enables as the flow runs). */
  router.post('/flows/:id/services/*service/enable', allow('operator'), toggle(true));

  /** Sets `enabled: false`; 409 naming the enabled processors (and services) that reference it. */
  router.post('/flows/:id/services/*service/disable', allow('operator'), toggle(false));

  return router;
}
