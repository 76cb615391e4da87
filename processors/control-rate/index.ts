import { defineProcessor, duration, type ProcessorStateValues } from '../../sdk';
import { SerialSessions } from '../serial-sessions';

export default defineProcessor({
  type: 'ControlRate',
  category: 'route',
  description:
    'Passes at most N FlowFiles (or N bytes) per time period; the rest wait in the input queue, so backpressure reaches upstream. The budget used in the current period is persisted state, so a restart does not reset it. Sessions run one at a time, whatever the concurrency.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      rateControl: {
        enum: ['flowfiles', 'bytes'],
        default: 'flowfiles',
        description:
          'Count FlowFiles, or bytes of content (a FlowFile larger than the rate passes alone in its period).',
      },
      maxRate: {
        type: 'integer',
        minimum: 1,
        default: 100,
        description: 'FlowFiles or bytes allowed per period.',
      },
      timePeriod: duration('The period the rate applies to, e.g. "1s" or "1 min".', '1s'),
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'FlowFiles per session.' },
    },
  },
  relationships: [{ name: 'success', description: 'FlowFiles within the rate.' }],
  setup: (config, ctx) => {
    readBudget(ctx.getState()); // a state it cannot read stops the start
    return { periodMs: config.timePeriod, serial: new SerialSessions() };
  },
  async onTrigger(session, ctx) {
    const { config, state } = ctx;
    // The budget is the committed one: a rolled-back session passed nothing and used none of it, and a restart
    // within a period goes on with what that period already passed.
    await state.serial.enter(session);
    const now = Date.now();
    let { periodStart, used } = readBudget(ctx.getState());
    if (now - periodStart >= state.periodMs || now < periodStart) {
      periodStart = now;
      used = 0;
    }
    const remaining = config.maxRate - used;
    if (remaining <= 0) return ctx.yield();
    let passed = 0;
    if (config.rateControl === 'flowfiles') {
      const ffs = await session.get(Math.min(config.batchSize, remaining));
      for (const ff of ffs) session.transfer(ff, 'success');
      passed = ffs.length;
    } else {
      let waiting = false;
      for (const ff of await session.get(config.batchSize)) {
        if (!waiting && (used + passed === 0 || used + passed + ff.size <= config.maxRate)) {
          passed += ff.size;
          session.transfer(ff, 'success');
        } else {
          waiting = true; // keep the order: everything after the first that does not fit waits too
          session.requeue(ff);
        }
      }
      if (waiting) ctx.yield();
    }
    if (passed > 0) session.setState({ periodStart: String(periodStart), used: String(used + passed) });
  },
});

/** The persisted budget: when the current period started (epoch ms) and how much of it was used. */
function readBudget(state: ProcessorStateValues | undefined): { periodStart: number; used: number } {
  if (state === undefined) return { periodStart: 0, used: 0 };
  const periodStart = Number(state.periodStart);
  const used = Number(state.used);
  if (!Number.isSafeInteger(periodStart) || !Number.isSafeInteger(used) || used < 0)
    throw new Error(
      `the persisted state is not a rate budget: periodStart = ${JSON.stringify(state.periodStart)}, used = ${JSON.stringify(state.used)}`,
    );
  return { periodStart, used };
}
