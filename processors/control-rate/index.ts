import { durationPattern } from '../../flows/flow-schema';
import { defineProcessor } from '../../server/engine/contract';
import { parseDuration } from '../../server/engine/units';

export default defineProcessor({
  type: 'ControlRate',
  category: 'route',
  description:
    'Passes at most N FlowFiles (or N bytes) per time period; the rest wait in the input queue, so backpressure reaches upstream.',
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
      timePeriod: {
        type: 'string',
        pattern: durationPattern,
        default: '1s',
        description: 'The period the rate applies to, e.g. "1s" or "1 min".',
      },
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'FlowFiles per session.' },
    },
  },
  relationships: [{ name: 'success', description: 'FlowFiles within the rate.' }],
  setup: (config) => ({ periodMs: parseDuration(config.timePeriod), windowStart: 0, used: 0 }),
  async onTrigger(session, ctx) {
    const { config, state } = ctx;
    const now = Date.now();
    if (now - state.windowStart >= state.periodMs) {
      state.windowStart = now;
      state.used = 0;
    }
    const remaining = config.maxRate - state.used;
    if (remaining <= 0) return ctx.yield();
    const window = state.windowStart;
    let passed = 0;
    if (config.rateControl === 'flowfiles') {
      const ffs = await session.get(Math.min(config.batchSize, remaining));
      for (const ff of ffs) session.transfer(ff, 'success');
      passed = ffs.length;
    } else {
      let waiting = false;
      for (const ff of await session.get(config.batchSize)) {
        if (!waiting && (state.used + passed === 0 || state.used + passed + ff.size <= config.maxRate)) {
          passed += ff.size;
          session.transfer(ff, 'success');
        } else {
          waiting = true; // keep the order: everything after the first that does not fit waits too
          session.requeue(ff);
        }
      }
      if (waiting) ctx.yield();
    }
    state.used += passed;
    // A rolled back session passed nothing: give its share of the budget back.
    session.afterRollback(() => {
      if (state.windowStart === window) state.used -= passed;
    });
  },
});
