/** The benchmark flows. Each returns a flow and how many FlowFiles the sink(s) must receive. */

export interface Scenario {
  name: string;
  description: string;
  flow: (opts: { paced?: number }) => unknown;
  expected: number;
  /** FlowFiles the source creates (for FlowFiles/s). */
  created: number;
}

const sink = (id: string, extra: object = {}) => ({
  id,
  type: 'BenchSink',
  config: { batchSize: 1000, ...extra },
  autoTerminate: ['success'],
});

/** A paced source: `rate` FlowFiles/s in batches of 100. */
const schedule = (paced?: number) => (paced ? { period: `${(100_000 / paced).toFixed(3)}ms` } : {});
const batchFor = (paced?: number) => (paced ? 100 : 1000);

const flow = (id: string, processors: unknown[], connections: unknown[]) => ({
  schemaVersion: 1,
  id,
  name: id,
  processors,
  connections,
});

export const LINEAR_COUNT = 200_000;

/**
 * The expression budget (processors/bounded/jsonata.ts) is on unless SLUICE_EXPRESSION_LIMITS=off, read once per
 * process; run `--only linear` with each setting to compare. Shown in the descriptions so a result says which.
 */
const expressionLimits = process.env.SLUICE_EXPRESSION_LIMITS === 'off' ? 'off' : 'on';

export const scenarios: Scenario[] = [
  {
    name: 'linear',
    description: `GenerateFlowFile (${LINEAR_COUNT} × 100 B, 2 attributes) → UpdateAttribute → RouteOnAttribute → counting sink (expression limits ${expressionLimits})`,
    created: LINEAR_COUNT,
    expected: LINEAR_COUNT,
    flow: ({ paced }) =>
      flow(
        'bench-linear',
        [
          {
            id: 'gen',
            type: 'GenerateFlowFile',
            config: {
              content: 'x'.repeat(100),
              batchSize: batchFor(paced),
              count: LINEAR_COUNT,
              attributes: { a: '1', b: '2' },
            },
            schedule: schedule(paced),
          },
          {
            id: 'tag',
            type: 'UpdateAttribute',
            config: { attributes: { region: '$number(attributes.a) = 1 ? "eu" : "us"' }, batchSize: 1000 },
            autoTerminate: ['failure'],
          },
          {
            id: 'route',
            type: 'RouteOnAttribute',
            config: { routes: { eu: 'attributes.region = "eu"' }, batchSize: 1000 },
            autoTerminate: ['unmatched', 'failure'],
          },
          sink('sink'),
        ],
        [
          { id: 'c1', source: 'gen', relationships: ['success'], target: 'tag' },
          { id: 'c2', source: 'tag', relationships: ['success'], target: 'route' },
          { id: 'c3', source: 'route', relationships: ['eu'], target: 'sink' },
        ],
      ),
  },
  {
    name: 'fan-out',
    description: `GenerateFlowFile (${LINEAR_COUNT} × 100 B) → one relationship to two connections → two counting sinks`,
    created: LINEAR_COUNT,
    expected: 2 * LINEAR_COUNT,
    flow: ({ paced }) =>
      flow(
        'bench-fan-out',
        [
          {
            id: 'gen',
            type: 'GenerateFlowFile',
            config: {
              content: 'x'.repeat(100),
              batchSize: batchFor(paced),
              count: LINEAR_COUNT,
              attributes: { a: '1', b: '2' },
            },
            schedule: schedule(paced),
          },
          sink('left'),
          sink('right'),
        ],
        [
          { id: 'l', source: 'gen', relationships: ['success'], target: 'left' },
          { id: 'r', source: 'gen', relationships: ['success'], target: 'right' },
        ],
      ),
  },
  {
    name: 'large-content',
    description: '500 × 1 MB random content → CompressContent (gzip) → counting sink',
    created: 500,
    expected: 500,
    flow: () =>
      flow(
        'bench-large',
        [
          { id: 'gen', type: 'GenerateFlowFile', config: { randomSize: 1024 * 1024, batchSize: 10, count: 500 } },
          {
            id: 'compress',
            type: 'CompressContent',
            config: { mode: 'compress', format: 'gzip' },
            autoTerminate: ['failure'],
          },
          sink('sink', { batchSize: 10 }),
        ],
        [
          { id: 'c1', source: 'gen', relationships: ['success'], target: 'compress' },
          { id: 'c2', source: 'compress', relationships: ['success'], target: 'sink' },
        ],
      ),
  },
  {
    name: 'backpressure',
    description: '1,000,000 × 100 B into a sink slower than the source, default thresholds (10,000 objects / 1 GB)',
    created: 1_000_000,
    expected: 1_000_000,
    flow: () =>
      flow(
        'bench-backpressure',
        [
          {
            id: 'gen',
            type: 'GenerateFlowFile',
            config: { content: 'x'.repeat(100), batchSize: 1000, count: 1_000_000 },
          },
          sink('sink', { batchSize: 500, delayMs: 1 }),
        ],
        [{ id: 'c1', source: 'gen', relationships: ['success'], target: 'sink' }],
      ),
  },
];
