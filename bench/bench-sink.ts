/** A sink for benchmarks: counts FlowFiles and records CREATE-to-sink latency (ms), nothing else. */
import { defineProcessor } from '../server/engine/contract';

export const latencies: number[] = [];
export const received = { count: 0, bytes: 0 };

export const BenchSink = defineProcessor({
  type: 'BenchSink',
  category: 'sink',
  description: 'Counts FlowFiles and records their latency since the lineage started.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      batchSize: { type: 'integer', minimum: 1, default: 1000, description: 'FlowFiles per session.' },
      delayMs: { type: 'number', minimum: 0, default: 0, description: 'Wait per session (a slow sink).' },
    },
  },
  relationships: [{ name: 'success', description: 'Everything, once counted.' }],
  async onTrigger(session, { config }) {
    const batch = await session.get(config.batchSize);
    if (config.delayMs > 0) await new Promise((r) => setTimeout(r, config.delayMs));
    const now = Date.now();
    for (const ff of batch) {
      latencies.push(now - ff.lineageStartDate);
      received.count++;
      received.bytes += ff.size;
      session.transfer(ff, 'success');
    }
  },
});
