/**
 * The controller service contract, declared as data like processors (see ../engine/contract.ts): one object feeds
 * the palette's services section, the config form, the validator and the engine. A service is shared by every
 * processor that references it: one broker connection, one HTTP client pool, one schema registry.
 *
 * In a flow (schemaVersion 2) services are declared per flow or group:
 *   "services": [{ "id": "rabbit", "type": "AMQPConnection", "name": "RabbitMQ", "config": {...}, "enabled": true }]
 * A processor references one from a property whose schema was made by `serviceReference(kind)`:
 *   "config": { "connection": { "service": "rabbit" } }
 * A processor may reference services of its own group and of every group above it (NiFi's scope). The engine
 * enables services before the processors that reference them start and disables them after those stopped.
 */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { ConfigIssue, ProcessorLogger, ValidationContext } from '../engine/contract';

/**
 * What a service offers, named like an interface (NiFi's controller service API): a property asks for a kind,
 * any service type that `provides` it may be referenced there. Each kind has a TypeScript interface below
 * (or in the service's own module) that the instance implements.
 */
export type ServiceKind = string;

/** What a service's enable and disable see. */
export interface ServiceContext {
  flowId: string;
  /** The service's global id in the flattened flow (group ids joined by `__`, like processors). */
  serviceId: string;
  logger: ProcessorLogger;
  /** Directories the service may touch (schema files); empty = unrestricted. */
  allowedDirs: readonly string[];
  /** The services this one references (enabled before it, disabled after it). */
  services: ServiceLookup;
}

export interface ServiceDefinition<C = any, I = unknown> {
  /** Service type as written in a flow, e.g. "AMQPConnection". */
  type: string;
  description: string;
  /** The kinds a processor property may ask for that this service satisfies, e.g. ["amqp-connection"]. */
  provides: readonly ServiceKind[];
  /** JSON Schema of the config; secret fields carry `"x-sensitive": true` (a sensitive parameter reference). */
  config: JSONSchema & object;
  /** Checks a schema cannot express. */
  validate?: (config: C, ctx: ValidationContext) => ConfigIssue[];
  /** Opens what the service shares (a connection, a pool, compiled schemas); the result is handed to processors. */
  enable(config: C, ctx: ServiceContext): I | Promise<I>;
  /** Releases it, once every processor referencing the service has stopped. */
  disable?(instance: I, ctx: ServiceContext): void | Promise<void>;
}

/** Declares a service with its config type inferred from its JSON Schema. */
export function defineService<const Schema extends object, I>(
  definition: Omit<ServiceDefinition<Schema extends JSONSchema ? FromSchema<Schema> : never, I>, 'config'> & {
    config: Schema;
  },
): ServiceDefinition<Schema extends JSONSchema ? FromSchema<Schema> : never, I> {
  return definition as unknown as ServiceDefinition<Schema extends JSONSchema ? FromSchema<Schema> : never, I>;
}

/** A processor config value naming a service: `{"service": "rabbit"}`. */
export interface ServiceReference {
  service: string;
}

/** The JSON Schema of a property that references a service of `kind`: the validator checks the id and its kind. */
export function serviceReference(kind: ServiceKind, description: string) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['service'],
    properties: { service: { type: 'string', minLength: 1, description: 'Id of a service in scope.' } },
    'x-service': kind,
    description,
  } as const;
}

export function isServiceReference(value: unknown): value is ServiceReference {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { service?: unknown }).service === 'string'
  );
}

/** How a processor reaches the services it references (on `SetupContext.services`). */
export interface ServiceLookup {
  /**
   * The enabled instance a reference names, checked to provide `kind`. Throws a clear error when the service is
   * not enabled (it cannot happen for a validated flow: the engine enables before it starts processors).
   */
  get<I>(reference: ServiceReference, kind: ServiceKind): I;
}
