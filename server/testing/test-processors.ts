/** Processors only tests use: a slow counting sink and a processor that fails on demand. */
import { defineProcessor } from '../engine/contract';

export const SlowSink = defineProcessor({
  type: 'TestSlowSink',
  category: 'sink',
  description: 'Takes a small batch, waits, and passes it on: a sink slower than its source.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      batchSize: { type: 'integer', minimum: 1, default: 5, description: 'FlowFiles per session.' },
      delayMs: { type: 'integer', minimum: 0, default: 2, description: 'Wait per session.' },
    },
  },
  relationships: [{ name: 'success', description: 'Everything, after the wait.' }],
  setup: () => ({ received: [] as string[] }),
  async onTrigger(session, { config, state }) {
    const batch = await session.get(config.batchSize);
    await new Promise((r) => setTimeout(r, config.delayMs));
    for (const ff of batch) {
      state.received.push(ff.id);
      session.transfer(ff, 'success');
    }
  },
});

export const FailFirst = defineProcessor({
  type: 'TestFailFirst',
  category: 'transform',
  description: 'Throws on its first `failures` triggers, then passes FlowFiles to success.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      failures: { type: 'integer', minimum: 0, default: 1, description: 'Triggers that throw.' },
    },
  },
  relationships: [{ name: 'success', description: 'Passed FlowFiles.' }],
  setup: () => ({ triggers: 0 }),
  async onTrigger(session, { config, state }) {
    const batch = await session.get(100);
    state.triggers++;
    for (const ff of batch) session.transfer(session.putAttributes(ff, { attempt: String(state.triggers) }), 'success');
    if (state.triggers <= config.failures) throw new Error(`deliberate failure ${state.triggers}`);
  },
});
