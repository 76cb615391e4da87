/**
 * The shapes the HTTP API answers with. They come from the server's own modules (type-only imports: nothing
 * of the server is bundled), so each shape is written once.
 */
import type { ProcessorDescriptor as ServerProcessorDescriptor } from '../../../server/api/processors.routes';
import type { QUARANTINE_ATTRIBUTES } from '../../../server/engine/quarantine';
import type { QueuedFlowFile } from '../../../server/engine/queue';
import type { FlowChangeAction, FlowManager, FlowStatusView } from '../../../server/runtime/flow-manager';

export type { ConnectionSpec, Flow, ProcessorSpec } from '../../../flows/flow-schema';
export type { BulletinsAnswer, LocatedBulletin } from '../../../server/api/operations.routes';
export type { ProcessorCategory, Relationship } from '../../../server/engine/contract';
export type { Lineage, ProvenanceEvent, ProvenanceEventType } from '../../../server/engine/provenance';
export type { QueuedFlowFile } from '../../../server/engine/queue';
export type { Bulletin, ProcessorState } from '../../../server/engine/running-processor';
export type { ConnectionStatus, ProcessorStatus } from '../../../server/engine/status';
export type {
  ExpectationFailure,
  FlowTestCaseResult,
  FlowTestFileResult,
  FlowTestRunAnswer,
} from '../../../server/flow-tests/report';
export type { FlowTestFile } from '../../../server/flow-tests/test-schema';
export type { BulletinLevel } from '../../../server/runtime/bulletin-board';
export type { ComponentLocation } from '../../../server/runtime/flow-components';
export type { FlowChange, FlowState, FlowSummary } from '../../../server/runtime/flow-manager';
export type { SearchHit, SearchKind, SearchResult } from '../../../server/runtime/flow-search';
export type { ConnectionRow, OperationsSummary, ProcessorRow } from '../../../server/runtime/operations-summary';
export type { ValidationIssue } from '../../../server/validation/ajv';
export type {
  ComponentChange,
  FlowStructuralDiff,
  FlowVersion,
  PropertyChange,
} from '../../../server/versions/version-types';

/** `GET /api/flows/:id/status` and the event stream: the engine's status plus the flow's state and validity. */
export type FlowStatus = FlowStatusView;

/** A JSON Schema as the form generator reads it (processor configs, parts of the flow schema). */
export interface JsonSchema {
  type?: string | readonly string[];
  description?: string;
  default?: unknown;
  enum?: readonly unknown[];
  const?: unknown;
  properties?: Readonly<Record<string, JsonSchema>>;
  additionalProperties?: boolean | JsonSchema;
  required?: readonly string[];
  items?: JsonSchema;
  anyOf?: readonly JsonSchema[];
  oneOf?: readonly JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  'x-format'?: string;
  [key: string]: unknown;
}

/** One entry of `GET /api/processors`: what the palette lists and the config form is generated from. */
export type ProcessorDescriptor = Omit<ServerProcessorDescriptor, 'config' | 'relationships'> & {
  config: JsonSchema;
  relationships: ServerProcessorDescriptor['relationships'][number][];
};

/** Messages of `GET /api/events`. */
export type StreamEvent =
  | { type: 'status'; flowId: string; status: FlowStatus }
  | { type: 'flow'; flowId: string; action: FlowChangeAction }
  /** The stream is alive; sent every `intervalMs` (server time `time`). */
  | { type: 'heartbeat'; time: number; intervalMs: number };

/** Which content of a provenance event: as it was before the event (`input`) or after it (`output`). */
export type ContentSide = Parameters<FlowManager['eventContent']>[1];

/** `POST /api/provenance/:eventId/replay`: the replayed event, the new FlowFile and the connection it entered. */
export type ReplayResult = { eventId: number } & Awaited<ReturnType<FlowManager['replay']>>;

export type Role = 'viewer' | 'operator' | 'admin';

/** `GET /api/me`: who the server takes this browser for. */
export interface Me {
  /** null on a server that asks for no credentials. */
  username: string | null;
  role: Role;
  via?: 'open' | 'session' | 'api-token' | 'server-token';
}

/** `GET /api/login`: what the login page may offer. */
export interface LoginOptions {
  required: boolean;
  /** Users exist: a name and password form. */
  password: boolean;
  /** A shared token is set: a token field. */
  token: boolean;
}

/** `GET /api/flows/:id/connections/:cid/quarantine`: FlowFiles set aside because their sessions kept failing. */
export interface QuarantineList {
  flowId: string;
  connectionId: string;
  /** All of them; `flowFiles` holds at most the limit asked for. */
  count: number;
  flowFiles: QueuedFlowFile[];
}

/** The attributes a quarantined FlowFile carries (why, where, how often), named as the engine names them. */
export type QuarantineAttributes = typeof QUARANTINE_ATTRIBUTES;

/** One entry of `GET /api/services`: a controller service type (the palette's services section, its config form). */
export interface ServiceDescriptor {
  type: string;
  description: string;
  /** The kinds (`x-service` of a processor property) this type satisfies. */
  provides: string[];
  config: JsonSchema;
}

export type ServiceState = 'enabled' | 'disabled' | 'enabling' | 'failed';

/** A service in `FlowStatus.services`, keyed by its global id (group ids and its id joined by `__`). */
export interface ServiceStatus {
  id: string;
  type: string;
  name?: string;
  state: ServiceState;
  error?: string;
  /** Global ids of the processors that reference it. */
  referencedBy: string[];
}

/** The services part of a flow's status (absent on a server without services). */
export function servicesOfStatus(status: unknown): Record<string, ServiceStatus> {
  const services = (status as { services?: Record<string, ServiceStatus> } | null)?.services;
  return services && typeof services === 'object' ? services : {};
}
