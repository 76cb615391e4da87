import { type ConfigIssue, defineProcessor, type ProcessSession } from '../../server/engine/contract';
import type { Attributes, FlowFile } from '../../server/engine/flowfile';
import { parseDuration } from '../../server/engine/units';
import { checkReferences, resolveSetting } from '../connection-settings';
import { type CompiledExpression, checkExpressions, compileExpression, toAttributeValue } from '../expressions';
import { AGGREGATE_OPS, type AggregateOp, NUMERIC_OPS, numericValue, resultOf } from './aggregates';
import { iso, parseEventTime } from './event-time';
import { WindowStore } from './window-store';
import { type Pane, type ParentRef, type Window, type WindowKind, WindowState } from './windows';

const RESERVED = new Set(['key', 'start', 'end', 'count']);

const config = {
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
    size: { type: 'string', default: '1m', description: 'Length of a tumbling or sliding window (e.g. 10s, 5m).' },
    slide: { type: 'string', default: '10s', description: 'Sliding windows only: a new window starts every slide.' },
    gap: { type: 'string', default: '30s', description: 'Session windows only: inactivity that closes a session.' },
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
    maxOutOfOrderness: {
      type: 'string',
      default: '0s',
      description: 'Watermark delay: how far behind the latest event time an event may arrive and still be on time.',
    },
    allowedLateness: {
      type: 'string',
      default: '0s',
      description:
        'How long after its end a window still accepts late events (each one re-emits the window, pane timing "late"); later ones go to `late`.',
    },
    batchSize: { type: 'integer', minimum: 1, maximum: 100000, default: 1000, description: 'FlowFiles per session.' },
    natsUrl: {
      type: 'string',
      default: '',
      description: `Keep window state in a NATS JetStream key-value bucket (e.g. \${NATS_URL}), so open windows survive a restart; empty = in this process, and open windows are emitted when the processor stops.`,
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

interface Aggregation {
  name: string;
  op: AggregateOp;
  value?: CompiledExpression;
}

interface State {
  windows: WindowState;
  aggregations: Aggregation[];
  key?: CompiledExpression;
  time?: CompiledExpression;
  /** Sessions run one at a time: each one's changes to the windows commit or roll back with it. */
  lock: Promise<void>;
  timer?: NodeJS.Timeout;
  wake: () => void;
  store?: WindowStore;
}

function durations(cfg: {
  size: string;
  slide: string;
  gap: string;
  maxOutOfOrderness: string;
  allowedLateness: string;
}) {
  return {
    sizeMs: parseDuration(cfg.size),
    slideMs: parseDuration(cfg.slide),
    gapMs: parseDuration(cfg.gap),
    outOfOrdernessMs: parseDuration(cfg.maxOutOfOrderness),
    allowedLatenessMs: parseDuration(cfg.allowedLateness),
  };
}

function checkConfig(cfg: any): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const name of ['size', 'slide', 'gap', 'maxOutOfOrderness', 'allowedLateness'] as const) {
    try {
      const ms = parseDuration(cfg[name]);
      if (ms < 0 || ((name === 'size' || name === 'slide' || name === 'gap') && ms <= 0))
        issues.push({ path: `/${name}`, message: 'must be a positive duration' });
    } catch (err) {
      issues.push({ path: `/${name}`, message: (err as Error).message });
    }
  }
  if (issues.length === 0 && cfg.windowType === 'sliding' && parseDuration(cfg.slide) > parseDuration(cfg.size))
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
  return [...issues, ...checkReferences('/natsUrl', cfg.natsUrl), ...checkExpressions(expressions)];
}

async function acquire(state: State): Promise<() => void> {
  let release!: () => void;
  const previous = state.lock;
  state.lock = new Promise<void>((resolve) => {
    release = resolve;
  });
  await previous;
  return release;
}

/** A parent for JOIN provenance: the input's id and lineage start, not its content or attributes. */
function parentFlowFile(p: ParentRef): FlowFile {
  return {
    id: p.id,
    attributes: {},
    content: Buffer.alloc(0),
    size: 0,
    entryDate: 0,
    lineageStartDate: p.lineageStartDate,
  };
}

function emit(session: ProcessSession, state: State, kind: WindowKind, panes: Pane[]): void {
  for (const { window: w, index, timing } of panes) {
    const result: Record<string, unknown> = { key: w.key, start: iso(w.start), end: iso(w.end), count: w.count };
    state.aggregations.forEach((a, i) => {
      result[a.name] = resultOf(a.op, w.accs[i]!, w.count);
    });
    const attributes: Attributes = {
      filename: `window-${w.start}-${w.end}${w.key === '' ? '' : `-${w.key.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64)}`}.json`,
      path: './',
      'mime.type': 'application/json',
      'window.type': kind,
      'window.start': iso(w.start),
      'window.end': iso(w.end),
      'window.key': w.key,
      'window.count': String(w.count),
      'window.pane.index': String(index),
      'window.pane.timing': timing,
    };
    let ff = session.create({ parents: w.parents.map(parentFlowFile), content: JSON.stringify(result), attributes });
    // A single parent taken in this very session is forked, and a fork inherits its attributes: drop them.
    const inherited = Object.keys(ff.attributes).filter((k) => !(k in attributes) && k !== 'uuid');
    if (inherited.length > 0) ff = session.removeAttributes(ff, inherited);
    session.transfer(ff, 'success');
  }
}

/** Writes the windows a session changed (before it commits: at-least-once). */
async function persist(state: State, windows: Window[]): Promise<void> {
  if (state.store) await state.store.save(windows, (w) => state.windows.contains(w), state.windows.meta);
}

/** A rolled-back session: its changes are undone in memory, then in the store (best effort, logged by the caller). */
async function undo(state: State, release: () => void): Promise<void> {
  const affected = state.windows.affected();
  state.windows.rollback();
  try {
    await persist(state, affected);
  } finally {
    release();
  }
}

/** Processing time: wake when the next window is due, since no input may come to move the clock. */
function schedule(state: State, processing: boolean): void {
  if (!processing) return;
  clearTimeout(state.timer);
  const next = state.windows.nextDeadline();
  if (next === undefined) return;
  state.timer = setTimeout(state.wake, Math.max(0, next + 1 - Date.now()) + 1);
  state.timer.unref?.();
}

export default defineProcessor({
  type: 'WindowAggregate',
  category: 'stream',
  description:
    'Aggregates FlowFiles over tumbling, sliding or session windows per key (count, sum, min, max, avg, first, last, collect), by event time with a watermark and allowed lateness, or by processing time; one JSON FlowFile per window and key, joined from its inputs. Open windows are emitted when the processor stops.',
  input: 'required',
  config,
  relationships: [
    { name: 'success', description: 'One JSON result per window and key (and pane).' },
    { name: 'late', description: 'Inputs that arrived after their windows closed (past the allowed lateness).' },
    { name: 'failure', description: 'Inputs without a usable event time, key or value; "window.error" says why.' },
  ],
  validate: checkConfig,
  async setup(cfg, ctx): Promise<State> {
    const aggregations = Object.entries(cfg.aggregations).map(([name, a]) => ({
      name,
      op: a.op as AggregateOp,
      value: a.value ? compileExpression(a.value) : undefined,
    }));
    const ops = aggregations.map((a) => a.op);
    const state: State = {
      windows: new WindowState({ kind: cfg.windowType, ...durations(cfg), ops }),
      aggregations,
      key: cfg.key !== '' ? compileExpression(cfg.key) : undefined,
      time: cfg.timeSource === 'expression' ? compileExpression(cfg.timeExpression) : undefined,
      lock: Promise.resolve(),
      wake: ctx.wake,
    };
    if (cfg.natsUrl !== '') {
      const store = await WindowStore.open(
        resolveSetting(cfg.natsUrl, 'natsUrl'),
        cfg.stateBucket,
        ctx.flowId,
        ctx.processorId,
      );
      const loaded = await store.load().catch(async (err: Error) => {
        await store.close();
        throw new Error(`cannot read window state from bucket "${cfg.stateBucket}": ${err.message}`);
      });
      if (loaded.windows.some((w) => w.accs.length !== ops.length)) {
        await store.close();
        throw new Error(
          `the window state in bucket "${cfg.stateBucket}" was kept with other aggregations: restore them, or purge the "${ctx.flowId}.${ctx.processorId}.>" keys`,
        );
      }
      if (loaded.meta) state.windows.restore(loaded.meta, loaded.windows);
      state.store = store;
      schedule(state, cfg.timeSource === 'processing');
    }
    return state;
  },
  async onTrigger(session, { state, config: cfg }) {
    const release = await acquire(state);
    const processing = cfg.timeSource === 'processing';
    session.afterCommit(() => {
      state.windows.commit();
      release();
      schedule(state, processing);
    });
    session.afterRollback(() => undo(state, release));
    state.windows.begin();
    for (const ff of await session.get(cfg.batchSize)) {
      const element = await read(ff, state, cfg.timeSource, cfg.timeAttribute);
      if (typeof element === 'string') {
        session.transfer(session.putAttributes(ff, { 'window.error': element }), 'failure');
        continue;
      }
      if (state.windows.add({ ...element, parent: { id: ff.id, lineageStartDate: ff.lineageStartDate } })) {
        session.remove(ff);
      } else {
        session.transfer(session.putAttributes(ff, { 'window.watermark': iso(state.windows.watermark) }), 'late');
      }
      state.windows.observe(element.t);
    }
    if (processing) state.windows.advance(Date.now() - 1);
    emit(session, state, cfg.windowType, state.windows.fire());
    await persist(state, state.windows.affected());
  },
  async onStop(session, { state, config: cfg }) {
    clearTimeout(state.timer);
    // With a state store, open windows wait in it for the next start; in-process, they are emitted now.
    if (state.store) return;
    const release = await acquire(state);
    session.afterCommit(() => {
      state.windows.commit();
      release();
    });
    session.afterRollback(() => undo(state, release));
    state.windows.begin();
    emit(session, state, cfg.windowType, state.windows.fire(true));
  },
  async teardown(state) {
    clearTimeout(state.timer);
    await state.store?.close();
  },
});

/** Event time, key and aggregation values of one FlowFile, or why it cannot be windowed. */
async function read(
  ff: FlowFile,
  state: State,
  timeSource: string,
  timeAttribute: string,
): Promise<{ t: number; key: string; values: unknown[] } | string> {
  try {
    let t: number | string;
    if (timeSource === 'processing') t = Date.now();
    else if (state.time) t = parseEventTime(await state.time.evaluate(ff));
    else t = parseEventTime(ff.attributes[timeAttribute]);
    if (typeof t === 'string') return timeSource === 'attribute' ? `${t} in attribute "${timeAttribute}"` : t;
    const key = state.key ? (toAttributeValue(await state.key.evaluate(ff)) ?? '') : '';
    const values: unknown[] = [];
    for (const a of state.aggregations) {
      let v = a.value ? await a.value.evaluate(ff) : undefined;
      if (NUMERIC_OPS.has(a.op)) {
        v = numericValue(v);
        if (typeof v === 'string') return `aggregation "${a.name}" (${a.op}): ${v}`;
      }
      values.push(v);
    }
    return { t, key, values };
  } catch (err) {
    return `expression failed: ${(err as Error).message}`;
  }
}
