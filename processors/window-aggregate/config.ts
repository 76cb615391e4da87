/** WindowAggregate's config: its JSON Schema and the checks a schema cannot express. */

import { type ConfigIssue, duration } from '../../sdk';
import { checkReferences, checkUrlCredentials } from '../connection-settings';
import { checkExpressions } from '../expressions';
import { AGGREGATE_OPS } from './aggregates';

const RESERVED = new Set(['key', 'start', 'end', 'count']);

export const config = {
  type: 'object',
  additionalProperties: false,
  properties: {
    windowType: {
      type: 'string',
      enum: ['tumbling', 'sliding', 'session'],
      default: 'tumbling',
      description:
        'tumbling: fixed, back to back; sliding: of `size` every `slide` (overlapping); session: per key, closed after a `gap` without events.',
    },
    size: duration('Length of a tumbling or sliding window (e.g. 10s, 5m).', '1m'),
    slide: duration('Sliding windows only: a new window starts every slide.', '10s'),
    gap: duration('Session windows only: inactivity that closes a session.', '30s'),
    timeSource: {
      type: 'string',
      enum: ['attribute', 'expression', 'processing'],
      default: 'attribute',
      description:
        'Event time from an attribute, from a JSONata expression, or processing time (when the FlowFile arrives here).',
    },
    timeAttribute: {
      type: 'string',
      default: 'event.time',
      description: 'Attribute with the event time: epoch milliseconds or ISO 8601.',
    },
    timeExpression: {
      type: 'string',
      default: '',
      description: 'JSONata over {attributes, content} giving the event time (epoch ms or ISO 8601), e.g. content.ts.',
    },
    key: {
      type: 'string',
      default: '',
      description: 'JSONata over {attributes, content} giving the key windows are kept per (empty = one key).',
    },
    aggregations: {
      type: 'object',
      default: {},
      description:
        'Named results per window besides count, e.g. {"total": {"op": "sum", "value": "content.amount"}}. Ops: count, sum, min, max, avg, first, last, collect.',
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['op'],
        properties: {
          op: { type: 'string', enum: [...AGGREGATE_OPS], description: 'The aggregation.' },
          value: {
            type: 'string',
            default: '',
            description: 'JSONata over {attributes, content}: the value aggregated (all ops but count).',
          },
        },
      },
    },
    maxOutOfOrderness: duration(
      'Watermark delay: how far behind the latest event time an event may arrive and still be on time.',
      '0s',
    ),
    allowedLateness: duration(
      'How long after its end a window still accepts late events (each one re-emits the window, pane timing "late"); later ones go to `late`.',
      '0s',
    ),
    batchSize: { type: 'integer', minimum: 1, maximum: 100000, default: 1000, description: 'FlowFiles per session.' },
    natsUrl: {
      type: 'string',
      default: '',
      description: `Keep window state in a NATS JetStream key-value bucket (e.g. \${NATS_URL}), so open windows survive a restart and carry on; empty = in this process: open windows are the processor's persisted state (restored after a crash) and are emitted when it stops.`,
    },
    stateBucket: {
      type: 'string',
      default: 'sluice-windows',
      pattern: '^[-_A-Za-z0-9]+$',
      description:
        'The key-value bucket for window state (with natsUrl); entries are named after the flow and processor.',
    },
  },
} as const;

/** The window durations of a parsed config (milliseconds: the properties are `x-format: duration`). */
export function durations(cfg: {
  size: number;
  slide: number;
  gap: number;
  maxOutOfOrderness: number;
  allowedLateness: number;
}) {
  return {
    sizeMs: cfg.size,
    slideMs: cfg.slide,
    gapMs: cfg.gap,
    outOfOrdernessMs: cfg.maxOutOfOrderness,
    allowedLatenessMs: cfg.allowedLateness,
  };
}

export function checkConfig(cfg: any): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const name of ['size', 'slide', 'gap'] as const)
    if (cfg[name] <= 0) issues.push({ path: `/${name}`, message: 'must be a positive duration' });
  if (issues.length === 0 && cfg.windowType === 'sliding' && cfg.slide > cfg.size)
    issues.push({ path: '/slide', message: 'a slide longer than the size would leave gaps between windows' });
  if (cfg.timeSource === 'expression' && cfg.timeExpression === '')
    issues.push({ path: '/timeExpression', message: 'timeSource "expression" needs a timeExpression' });
  if (cfg.timeSource === 'attribute' && cfg.timeAttribute === '')
    issues.push({ path: '/timeAttribute', message: 'timeSource "attribute" needs a timeAttribute' });
  const expressions: [string, string][] = [];
  if (cfg.timeExpression !== '') expressions.push(['/timeExpression', cfg.timeExpression]);
  if (cfg.key !== '') expressions.push(['/key', cfg.key]);
  for (const [name, a] of Object.entries(cfg.aggregations as Record<string, { op: string; value: string }>)) {
    const path = `/aggregations/${name}`;
    if (RESERVED.has(name))
      issues.push({ path, message: `"${name}" is part of every result (key, start, end, count): choose another name` });
    if (a.op !== 'count' && a.value === '')
      issues.push({ path: `${path}/value`, message: `${a.op} needs a value expression` });
    if (a.value !== '') expressions.push([`${path}/value`, a.value]);
  }
  return [
    ...issues,
    ...checkReferences('/natsUrl', cfg.natsUrl),
    ...cfg.natsUrl.split(',').flatMap((u: string) => checkUrlCredentials('/natsUrl', u.trim())),
    ...checkExpressions(expressions),
  ];
}
