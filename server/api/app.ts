import express, { type Express, Router } from 'express';
import helmet from 'helmet';
import type { ProcessorLogger } from '../engine/contract';
import type { ProvenanceStore } from '../engine/provenance';
import type { FlowManager } from '../runtime/flow-manager';
import { redactedAnswers } from '../secrets/redact-responses';
import type { FlowHistory } from '../versions/flow-history';
import { saveContextFromRequest } from '../versions/save-context';
import { type AuditLog, auditRoutes } from './audit';
import { authenticate, requireCredentials } from './auth';
import { flowTestRoutes } from './flow-tests.routes';
import { flowRoutes } from './flows.routes';
import { errorHandler, notFoundHandler } from './http-errors';
import { listenRoutes } from './listen.routes';
import { createMetrics } from './metrics';
import { operationsRoutes } from './operations.routes';
import { hostGuard, originGuard } from './origin';
import { processorRoutes } from './processors.routes';
import { provenanceRoutes } from './provenance.routes';
import { quarantineRoutes } from './quarantine.routes';
import { DEFAULT_CONTENT_CAP, queueRoutes } from './queue.routes';
import { rejectDeepBodies } from './request';
import { allow, assertEveryRouteGuarded } from './roles';
import { serviceRoutes } from './services.routes';
import { sessionRoutes } from './session.routes';
import { LoginLimiter, type LoginLimits, SessionStore } from './sessions';
import { statusRoutes } from './status.routes';
import { DEFAULT_HEARTBEAT_MS, StatusStream } from './status-stream';
import { tapRoutes } from './tap.routes';
import { testSnapshotRoutes } from './test-snapshot.routes';
import { uiRoutes } from './ui-static';
import type { UserStore } from './users';
import { versionRoutes } from './versions.routes';

export interface AppOptions {
  manager: FlowManager;
  provenance: ProvenanceStore;
  logger: ProcessorLogger;
  /** When set, /api, /metrics and /listen need credentials; `Authorization: Bearer <token>` is admin. */
  token?: string;
  /** Users with roles (`<data>/users.json`); once there are any, /api, /metrics and /listen need credentials. */
  users?: UserStore;
  /** Where state-changing requests and logins are recorded (`<data>/audit.log`). */
  audit?: AuditLog;
  /** Login session lifetime (default 12 h). */
  sessionTtlMs?: number;
  /** Failed logins allowed per user name and address, and per address, in a window. */
  loginLimits?: Partial<LoginLimits>;
  /** Largest request body (JSON or upload), bytes. */
  maxBodyBytes: number;
  /** The built UI; served at / when it exists. */
  uiDir?: string;
  /** Largest FlowFile content the queue inspector returns, bytes. */
  contentCap?: number;
  statusIntervalMs?: number;
  heartbeatMs?: number;
  /** More routes under /api, mounted after the built-in ones (cluster mode: /api/workers). */
  apiRoutes?: Router[];
  /** Where flows' test files are kept (`<data>/flows`); without it, no /api/flows/:id/tests routes. */
  flowTestsDir?: string;
  /**
   * Host names the server answers besides IP literals and localhost (`--allowed-hosts`): `name`, `.domain`
   * (and its subdomains) or `*`. Any other Host header gets 403 (DNS rebinding).
   */
  allowedHosts?: readonly string[];
  /** The versions of the flows (`<data>/versions`); without it, no /api/flows/:id/versions routes. */
  versions?: FlowHistory;
  /** Most concurrent /api/events clients (default 100); beyond it 503. */
  maxEventClients?: number;
  /** Bytes an /api/events client may have waiting unsent before it is dropped (default 1 MiB). */
  maxEventBufferBytes?: number;
}

/** The whole HTTP surface: the API under /api, /metrics, /healthz, /listen and the UI. */
export function createApp(options: AppOptions): { app: Express; stream: StatusStream } {
  const { manager, logger, token, users, audit } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));

  const stream = new StatusStream(manager, {
    intervalMs: options.statusIntervalMs ?? 1000,
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    maxClients: options.maxEventClients,
    maxBufferedBytes: options.maxEventBufferBytes,
  });

  const sessions = new SessionStore(options.sessionTtlMs);
  const limiter = new LoginLimiter(options.loginLimits);

  app.use(hostGuard(options.allowedHosts ?? []));
  // 503 while the flows that were running are still being started (the server listens first: see serve.ts).
  app.get('/healthz', allow('public'), (_req, res) => {
    if (manager.starting) res.status(503).json({ status: 'starting' });
    else res.json({ status: 'ok' });
  });
  // Identifies the caller only; each route's guard (allow(role), roles.ts) decides what it may do.
  app.use(authenticate({ token, users, sessions, audit }));
  app.get('/metrics', allow('viewer'), createMetrics(manager).handler);
  app.use(listenRoutes());

  const api = Router();
  api.use(originGuard());
  api.use(redactedAnswers());
  api.use(sessionRoutes({ token, users, sessions, limiter, audit }));
  api.get('/events', allow('viewer'), stream.handler);
  // Without valid credentials, 401 before a body is read.
  api.use(requireCredentials());
  // Not strict: a JSON scalar (`null`, `5`) is valid JSON; the schemas then say "must be object" at its path.
  api.use(
    express.json({ limit: options.maxBodyBytes, strict: false, type: ['application/json', 'application/*+json'] }),
  );
  api.use(rejectDeepBodies());
  // A save records its version with the caller as author and `?message=` as message.
  api.use(saveContextFromRequest());
  api.use(
    processorRoutes(
      manager.options.registry,
      manager.options.allowedDirs ?? [],
      manager.options.authenticated ?? false,
    ),
  );
  api.use(flowRoutes(manager, options.maxBodyBytes));
  if (options.versions) api.use(versionRoutes(manager, options.versions));
  api.use(serviceRoutes(manager));
  api.use(statusRoutes(manager));
  api.use(operationsRoutes(manager));
  api.use(queueRoutes(manager, options.contentCap ?? DEFAULT_CONTENT_CAP));
  api.use(quarantineRoutes(manager));
  api.use(tapRoutes(manager));
  api.use(provenanceRoutes(options.provenance, options.manager));
  if (audit) api.use(auditRoutes(audit));
  if (options.flowTestsDir) api.use(flowTestRoutes(manager, options.flowTestsDir));
  if (options.flowTestsDir) api.use(testSnapshotRoutes(manager));
  for (const routes of options.apiRoutes ?? []) api.use(routes);
  api.use(notFoundHandler);
  app.use('/api', api);

  if (options.uiDir) app.use(uiRoutes(options.uiDir));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  assertEveryRouteGuarded(app.router);
  return { app, stream };
}
