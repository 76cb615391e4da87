/**
 * The flow definition schema: the one contract shared by the UI, the API, the CLI and the engine.
 * `flows/flow.schema.json` is generated from this file (`npm run schema`) and a test keeps the two equal.
 */
import type { FromSchema } from 'json-schema-to-ts';

/** Ids double as NATS subject/stream tokens and file names, so they are kept to a safe alphabet. */
export const idPattern = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
export const durationPattern =
  '^\\d+(\\.\\d+)?\\s*(ms|msec|msecs|millis|milliseconds?|s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)$';
export const sizePattern = '^\\d+(\\.\\d+)?\\s*([bB]|[kK][bB]|[mM][bB]|[gG][bB]|[tT][bB])$';

const duration = (description: string, fallback: string) =>
  ({ type: 'string', pattern: durationPattern, description, default: fallback }) as const;

const positionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['x', 'y'],
  properties: { x: { type: 'number' }, y: { type: 'number' } },
  description: 'Canvas position.',
} as const;

export const processorSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type'],
  properties: {
    id: {
      type: 'string',
      pattern: idPattern,
      description: 'Unique within its group (the flow is the outermost group); letters, digits, _ and -.',
    },
    type: { type: 'string', minLength: 1, description: 'Processor type, e.g. GenerateFlowFile.' },
    name: { type: 'string', maxLength: 200, description: 'Display name.' },
    position: positionSchema,
    config: {
      type: 'object',
      default: {},
      description: "The processor's own settings, validated against its config schema.",
    },
    schedule: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        period: duration('Run schedule: minimum time between triggers (0s = as fast as work arrives).', '0s'),
        concurrency: { type: 'integer', minimum: 1, maximum: 64, default: 1, description: 'Concurrent tasks.' },
        penalty: duration('How long FlowFiles of a failed session wait before they are retried.', '30s'),
        yield: duration('How long the processor pauses after it yields or fails.', '1s'),
        timeout: duration(
          'Watchdog: a trigger still running after this long is abandoned, its session rolled back and its FlowFiles penalized (0s = never).',
          '5m',
        ),
        quarantineAfter: {
          type: 'integer',
          minimum: 0,
          maximum: 1000,
          default: 3,
          description:
            "A FlowFile whose sessions failed (or timed out) this many times is moved to its connection's quarantine instead of being retried again (0 = retry forever).",
        },
      },
    },
    autoTerminate: {
      type: 'array',
      items: { type: 'string' },
      uniqueItems: true,
      default: [],
      description: 'Relationships whose FlowFiles are dropped (DROP provenance) instead of connected.',
    },
    disabled: { type: 'boolean', default: false, description: 'A disabled processor is never started.' },
    executionMode: {
      enum: ['all', 'primary'],
      default: 'all',
      description:
        'In a cluster: run on every worker (all), or only on the elected primary (for sources that must not run twice).',
    },
  },
} as const;

/** A port of a child group, named from the group that holds it: `{"group": "enrich", "port": "in"}`. */
export const portRefSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['group', 'port'],
  properties: {
    group: { type: 'string', pattern: idPattern, description: "Id of a group inside the connection's group." },
    port: {
      type: 'string',
      pattern: idPattern,
      description: 'Id of an input port (as target) or an output port (as source) of that group.',
    },
  },
} as const;

const endpoint = (description: string) =>
  ({ description, anyOf: [{ type: 'string', minLength: 1 }, portRefSchema] }) as const;

export const connectionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'source', 'relationships', 'target'],
  properties: {
    id: { type: 'string', pattern: idPattern },
    name: { type: 'string', maxLength: 200 },
    source: endpoint(
      'Where the FlowFiles come from: the id of a processor, a funnel or (inside a group) an input port of the group, or {"group", "port"}: an output port of a child group.',
    ),
    relationships: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      minItems: 1,
      uniqueItems: true,
      description: 'Relationships of the source routed into this connection.',
    },
    target: endpoint(
      'Where the FlowFiles go: the id of a processor, a funnel or (inside a group) an output port of the group, or {"group", "port"}: an input port of a child group.',
    ),
    backPressure: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        objects: {
          type: 'integer',
          minimum: 1,
          default: 10000,
          description: 'The source is not scheduled while the queue holds this many FlowFiles.',
        },
        bytes: {
          anyOf: [
            { type: 'string', pattern: sizePattern },
            { type: 'integer', minimum: 1 },
          ],
          default: '1 GB',
          description: 'The source is not scheduled while the queue holds this much content ("1 GB" or a byte count).',
        },
      },
    },
    expiration: duration('FlowFiles older than this are dropped with an EXPIRE event (0s = never).', '0s'),
    prioritizer: {
      enum: ['fifo', 'oldest-first', 'newest-first', 'priority-attribute'],
      default: 'fifo',
      description: 'Order in which the target takes FlowFiles; priority-attribute sorts on the "priority" attribute.',
    },
  },
} as const;

/** A group's input or output port: how FlowFiles cross the group's border (pass-through, no copy). */
export const portSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: {
    id: {
      type: 'string',
      pattern: idPattern,
      description:
        "Unique within the port's group (among its processors, connections, ports, funnels, groups and labels).",
    },
    name: { type: 'string', maxLength: 200, description: 'Display name.' },
    position: positionSchema,
  },
} as const;

/** Merges connections into one (pass-through, no copy). */
export const funnelSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: idPattern, description: 'Unique within its group.' },
    position: positionSchema,
  },
} as const;

/** A note on the canvas; nothing runs on it. */
export const labelSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'text'],
  properties: {
    id: { type: 'string', pattern: idPattern, description: 'Unique within its group.' },
    text: { type: 'string', maxLength: 10000 },
    position: positionSchema,
    size: {
      type: 'object',
      additionalProperties: false,
      required: ['width', 'height'],
      properties: { width: { type: 'number', minimum: 0 }, height: { type: 'number', minimum: 0 } },
      description: 'Canvas size.',
    },
    color: {
      type: 'string',
      pattern: '^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$',
      description: 'Background colour, e.g. "#fde68a".',
    },
  },
} as const;

/** Parameter names: NiFi's alphabet (letters, digits, ".", "_", "-" and space), 1 to 255 characters. */
export const parameterNamePattern = '^[A-Za-z0-9._ -]{1,255}$';

/** One parameter of a context; referenced from any string of a processor's config as `#{name}`. */
export const parameterSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: {
      type: 'string',
      pattern: parameterNamePattern,
      description: 'Referenced as #{name}: 1 to 255 letters, digits, ".", "_", "-" or spaces.',
    },
    value: {
      anyOf: [{ type: 'string', maxLength: 1000000 }, { type: 'null' }],
      description:
        'The value (a string; converted when a numeric or boolean property is exactly one reference). Sensitive: write-only, encrypted at rest, never returned; leaving it out keeps the stored value, null clears it.',
    },
    sensitive: {
      type: 'boolean',
      default: false,
      description:
        'A secret: encrypted at rest, never shown, exported or logged; only sensitive properties (passwords) and URL passwords may reference it.',
    },
    set: {
      type: 'boolean',
      description: 'Read only (ignored when written): whether a sensitive parameter has a value.',
    },
    description: { type: 'string', maxLength: 10000 },
  },
} as const;

/** A named set of parameters; the flow and each group may bind one (a group without its own uses its parent's). */
export const parameterContextSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: idPattern, description: "Unique among the flow's parameter contexts." },
    name: { type: 'string', maxLength: 200, description: 'Display name.' },
    description: { type: 'string', maxLength: 10000 },
    inherits: {
      type: 'array',
      items: { type: 'string', pattern: idPattern },
      uniqueItems: true,
      maxItems: 100,
      description:
        'Contexts whose parameters this one also offers, in order: its own win, then the first listed that has the name (each with what it inherits).',
    },
    parameters: { type: 'array', items: parameterSchema, maxItems: 10000, default: [] },
  },
} as const;

/**
 * A controller service (schemaVersion 2): something processors share (a broker connection, an HTTP client pool,
 * a schema registry), declared in a flow or group and referenced from processor properties as `{"service": id}`
 * by the processors of that group and of the groups inside it (see server/services/).
 */
export const serviceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type'],
  properties: {
    id: {
      type: 'string',
      pattern: idPattern,
      description: 'Unique within its group (among its processors, connections, ports, funnels, groups and labels).',
    },
    type: { type: 'string', minLength: 1, description: 'Service type, e.g. HttpClient.' },
    name: { type: 'string', maxLength: 200, description: 'Display name.' },
    description: { type: 'string', maxLength: 10000 },
    config: {
      type: 'object',
      default: {},
      description: "The service's own settings, validated against its config schema.",
    },
    enabled: {
      type: 'boolean',
      default: true,
      description: 'A disabled service is never enabled; no enabled processor may reference it.',
    },
  },
} as const;

const parameterContextBinding = {
  type: 'string',
  pattern: idPattern,
  description:
    "Id of the parameter context whose parameters #{name} references resolve against here; a group without one uses its parent's.",
} as const;

/** What the flow and every group hold besides their child groups (the flow is the outermost group). */
const contentProperties = {
  processors: { type: 'array', items: processorSchema, maxItems: 1000 },
  connections: { type: 'array', items: connectionSchema, maxItems: 5000 },
  funnels: { type: 'array', items: funnelSchema, maxItems: 1000 },
  labels: { type: 'array', items: labelSchema, maxItems: 1000 },
  services: {
    type: 'array',
    items: serviceSchema,
    maxItems: 1000,
    description:
      'Controller services (schemaVersion 2) the processors of this group and of the groups inside it may reference.',
  },
} as const;

const childGroups = {
  type: 'array',
  items: { $ref: '#/$defs/group' },
  maxItems: 1000,
  description: 'Process groups: processors, connections and groups of their own, joined to this one by ports.',
} as const;

/** A process group without its child groups (json-schema-to-ts cannot follow a recursive $ref). */
const groupShape = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: idPattern, description: 'Unique within its parent group.' },
    name: { type: 'string', maxLength: 200, description: 'Display name.' },
    description: { type: 'string', maxLength: 10000 },
    position: positionSchema,
    parameterContext: parameterContextBinding,
    inputPorts: {
      type: 'array',
      items: portSchema,
      maxItems: 100,
      description: 'Where connections of the parent group lead into this group.',
    },
    outputPorts: {
      type: 'array',
      items: portSchema,
      maxItems: 100,
      description: 'Where connections of the parent group leave this group from.',
    },
    ...contentProperties,
  },
} as const;

export const groupSchema = {
  ...groupShape,
  properties: { ...groupShape.properties, groups: childGroups },
} as const;

/** The flow without its groups: what the types below are inferred from. */
const flowShape = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://sluice.dev/schemas/flow.schema.json',
  title: 'Sluice flow',
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'id', 'name', 'processors', 'connections'],
  properties: {
    schemaVersion: {
      enum: [1, 2],
      description:
        'Format version: 1 = a flat flow (still read as it is), 2 = may hold groups, funnels, labels, parameter contexts and services.',
    },
    id: { type: 'string', pattern: idPattern },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 10000 },
    parameterContexts: {
      type: 'array',
      items: parameterContextSchema,
      maxItems: 1000,
      description: 'Parameter contexts (schemaVersion 2): named sets of parameters the flow and its groups bind.',
    },
    parameterContext: parameterContextBinding,
    ...contentProperties,
  },
} as const;

export const flowSchema = {
  ...flowShape,
  properties: { ...flowShape.properties, groups: childGroups },
  $defs: { group: groupSchema },
} as const;

/** The schemaVersion written for new and exported flows. */
export const CURRENT_SCHEMA_VERSION = 2;

/**
 * A flow as an export writes it: schemaVersion 2, everything else as it is (a flow of version 1 is a valid flow of
 * version 2 as it stands, and resolves to the same processors and connections).
 */
export function toCurrentVersion(flow: Flow): Flow {
  if (flow.schemaVersion === CURRENT_SCHEMA_VERSION) return flow;
  const { schemaVersion: _old, ...rest } = flow;
  return { schemaVersion: CURRENT_SCHEMA_VERSION, ...rest };
}

type AsWritten = { keepDefaultedPropertiesOptional: true };

export type Position = FromSchema<typeof positionSchema>;
/** `{"group": "enrich", "port": "in"}`: a port of a child group. */
export type PortRef = FromSchema<typeof portRefSchema>;
/** A connection's source or target: an id in the connection's group, or a port of a child group. */
export type Endpoint = string | PortRef;

/** A flow as written: defaulted fields may be absent. */
export type Flow = FromSchema<typeof flowShape, AsWritten> & { groups?: GroupSpec[] };
export type ProcessorSpec = FromSchema<typeof processorSchema, AsWritten>;
export type ConnectionSpec = FromSchema<typeof connectionSchema, AsWritten>;
export type PortSpec = FromSchema<typeof portSchema>;
export type FunnelSpec = FromSchema<typeof funnelSchema>;
export type LabelSpec = FromSchema<typeof labelSchema>;
export type GroupSpec = FromSchema<typeof groupShape, AsWritten> & { groups?: GroupSpec[] };
export type ParameterContextSpec = FromSchema<typeof parameterContextSchema, AsWritten>;
export type ParameterSpec = FromSchema<typeof parameterSchema, AsWritten>;
export type ServiceSpec = FromSchema<typeof serviceSchema, AsWritten>;

/**
 * A flow after defaults were applied and its groups flattened: what the engine runs. Processors and
 * connections of groups, and ports and funnels (as pass-through processors), are in the two flat lists under
 * global ids (see server/validation/flatten-groups.ts); a flow without groups resolves to its own ids.
 */
export interface ResolvedFlow {
  schemaVersion: 1 | 2;
  id: string;
  name: string;
  description?: string;
  processors: ResolvedProcessor[];
  connections: ResolvedConnection[];
  /** Every service of the flow and its groups, under global ids; processors' references name these ids. */
  services: ResolvedService[];
}
/** A service of the flattened flow: global id, defaults applied, references in its config resolved. */
export type ResolvedService = FromSchema<typeof serviceSchema>;
export type ResolvedProcessor = FromSchema<typeof processorSchema>;
/** A connection between two processors of the flattened flow, named by their global ids. */
export type ResolvedConnection = Omit<FromSchema<typeof connectionSchema>, 'source' | 'target'> & {
  source: string;
  target: string;
};
