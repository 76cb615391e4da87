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

export const processorSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type'],
  properties: {
    id: { type: 'string', pattern: idPattern, description: 'Unique within the flow; letters, digits, _ and -.' },
    type: { type: 'string', minLength: 1, description: 'Processor type, e.g. GenerateFlowFile.' },
    name: { type: 'string', maxLength: 200, description: 'Display name.' },
    position: {
      type: 'object',
      additionalProperties: false,
      required: ['x', 'y'],
      properties: { x: { type: 'number' }, y: { type: 'number' } },
      description: 'Canvas position.',
    },
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

export const connectionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'source', 'relationships', 'target'],
  properties: {
    id: { type: 'string', pattern: idPattern },
    name: { type: 'string', maxLength: 200 },
    source: { type: 'string', description: 'Id of the processor the FlowFiles come from.' },
    relationships: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      minItems: 1,
      uniqueItems: true,
      description: 'Relationships of the source routed into this connection.',
    },
    target: { type: 'string', description: 'Id of the processor the FlowFiles go to.' },
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

export const flowSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://sluice.dev/schemas/flow.schema.json',
  title: 'Sluice flow',
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'id', 'name', 'processors', 'connections'],
  properties: {
    schemaVersion: { const: 1 },
    id: { type: 'string', pattern: idPattern },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 10000 },
    processors: { type: 'array', items: processorSchema, maxItems: 1000 },
    connections: { type: 'array', items: connectionSchema, maxItems: 5000 },
  },
} as const;

/** A flow as written: defaulted fields may be absent. */
export type Flow = FromSchema<typeof flowSchema, { keepDefaultedPropertiesOptional: true }>;
export type ProcessorSpec = Flow['processors'][number];
export type ConnectionSpec = Flow['connections'][number];

/** A flow after defaults were applied: what the engine runs. */
export type ResolvedFlow = FromSchema<typeof flowSchema>;
export type ResolvedProcessor = ResolvedFlow['processors'][number];
export type ResolvedConnection = ResolvedFlow['connections'][number];
