import {
  type Attributes,
  defineProcessor,
  type FlowFile,
  failWith,
  type ProcessorStateValues,
  type ProcessSession,
} from '../../sdk';
import { resolveSetting } from '../connection-settings';
import { type CompiledExpression, compileExpression, toAttributeValue } from '../expressions';
import { type AggregateOp, NUMERIC_OPS, numericValue, resultOf } from './aggregates';
import { checkConfig, config, durations } from './config';
import { iso, parseEventTime } from './event-time';
import { decodeWindows, encodeWindows, specText } from './persisted-windows';
import { WindowStore } from './window-store';
import { type Pane, type ParentRef, type Window, type WindowKind, type WindowSpec, WindowState } from './windows';

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
  /** The settings as persisted: windows restored under other ones are not carried on. */
  spec: string;
  /** Windows restored from the persisted state under other settings: emitted (early) by the next session. */
  legacy?: { windows: WindowState; aggregations: Aggregation[]; kind: WindowKind };
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

function emit(session: ProcessSession, aggregations: Aggregation[], kind: WindowKind, panes: Pane[]): void {
  for (const { window: w, index, timing } of panes) {
    const result: Record<string, unknown> = { key: w.key, start: iso(w.start), end: iso(w.end), count: w.count };
    aggregations.forEach((a, i) => {
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

/**
 * In-process: the windows a session changed go into the processor's persisted state, committed with the
 * session (nothing is set when nothing changed).
 */
function keep(session: ProcessSession, state: State, committed: ProcessorStateValues | undefined): void {
  const affected = state.windows.affected();
  const next = encodeWindows(committed, state.spec, state.windows, affected);
  if (affected.length > 0 || next.meta !== committed?.meta || committed?.spec !== state.spec) session.setState(next);
}

/**
 * Starts a session's turn: the previous session has committed or rolled back. The windows journal from
 * here, and windows restored under other settings are emitted as early panes.
 */
async function begin(session: ProcessSession, state: State, after?: () => void): Promise<void> {
  const release = await acquire(state);
  const legacy = state.legacy;
  session.afterCommit(() => {
    state.windows.commit();
    if (legacy && state.legacy === legacy) state.legacy = undefined;
    release();
    after?.();
  });
  session.afterRollback(() => {
    legacy?.windows.rollback();
    return undo(state, release);
  });
  state.windows.begin();
  if (legacy) {
    legacy.windows.begin();
    emit(session, legacy.aggregations, legacy.kind, legacy.windows.fire(true));
  }
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

/**
 * In-process: the windows as last committed (a crash loses none). Windows kept under other settings (size,
 * kind, aggregations changed meanwhile) are not carried on: the next session emits them as early panes with
 * the settings they were kept with. The watermark carries on either way: event time does not go back.
 */
function restore(state: State, persisted: ProcessorStateValues | undefined): void {
  const restored = decodeWindows(persisted);
  if (!restored) return;
  if (restored.specText === state.spec) {
    state.windows.restore(restored.meta, restored.windows);
    return;
  }
  state.windows.restore(restored.meta, []);
  const { aggregations, ...rest } = restored.spec;
  const windows = new WindowState({ ...rest, ops: aggregations.map(([, op]) => op) });
  windows.restore(restored.meta, restored.windows);
  state.legacy = { windows, aggregations: aggregations.map(([name, op]) => ({ name, op })), kind: rest.kind };
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
    'Aggregates FlowFiles over tumbling, sliding or session windows per key (count, sum, min, max, avg, first, last, collect), by event time with a watermark and allowed lateness, or by processing time; one JSON FlowFile per window and key, joined from its inputs. In-process, open windows are persisted state, restored after a crash with nothing lost or counted twice, and emitted when the processor stops.',
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
    const spec: WindowSpec = { kind: cfg.windowType, ...durations(cfg), ops: aggregations.map((a) => a.op) };
    const state: State = {
      windows: new WindowState(spec),
      aggregations,
      key: cfg.key !== '' ? compileExpression(cfg.key) : undefined,
      time: cfg.timeSource === 'expression' ? compileExpression(cfg.timeExpression) : undefined,
      lock: Promise.resolve(),
      wake: ctx.wake,
      spec: specText(
        spec,
        aggregations.map((a) => a.name),
      ),
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
      if (loaded.windows.some((w) => w.accs.length !== spec.ops.length)) {
        await store.close();
        throw new Error(
          `the window state in bucket "${cfg.stateBucket}" was kept with other aggregations: restore them, or purge the "${ctx.flowId}.${ctx.processorId}.>" keys`,
        );
      }
      if (loaded.meta) state.windows.restore(loaded.meta, loaded.windows);
      state.store = store;
    } else restore(state, ctx.getState());
    schedule(state, cfg.timeSource === 'processing');
    return state;
  },
  async onTrigger(session, { state, config: cfg, getState }) {
    const processing = cfg.timeSource === 'processing';
    await begin(session, state, () => schedule(state, processing));
    for (const ff of await session.get(cfg.batchSize)) {
      const element = await read(ff, state, cfg.timeSource, cfg.timeAttribute);
      if (typeof element === 'string') {
        failWith(session, ff, 'window.error', element);
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
    emit(session, state.aggregations, cfg.windowType, state.windows.fire());
    if (state.store) await persist(state, state.windows.affected());
    else keep(session, state, getState());
  },
  async onStop(session, { state, config: cfg, getState }) {
    clearTimeout(state.timer);
    // With a state store, open windows wait in it for the next start; in-process, they are emitted now (and
    // the persisted state left without them, so a restart does not emit them again).
    if (state.store) return;
    await begin(session, state);
    emit(session, state.aggregations, cfg.windowType, state.windows.fire(true));
    keep(session, state, getState());
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
