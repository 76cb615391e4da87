import type { RequestHandler } from 'express';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { FlowManager } from '../runtime/flow-manager';

/**
 * `/metrics` in Prometheus text format, from a registry of its own (never prom-client's global one, so two
 * servers in one process do not mix). Values are read from the flows' status at scrape time.
 */
export function createMetrics(manager: FlowManager): { registry: Registry; handler: RequestHandler } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sluice_' });
  const connectionLabels = ['flow', 'connection'] as const;
  const processorLabels = ['flow', 'processor', 'type'] as const;
  const registers = [registry];

  const flowRunning = new Gauge({
    name: 'sluice_flow_running',
    help: '1 while the flow runs, 0 when stopped or invalid',
    labelNames: ['flow'] as const,
    registers,
  });
  const depth = new Gauge({
    name: 'sluice_connection_queue_depth',
    help: 'FlowFiles in the connection (queued, penalized or in flight)',
    labelNames: connectionLabels,
    registers,
  });
  const bytes = new Gauge({
    name: 'sluice_connection_queue_bytes',
    help: 'Content bytes in the connection',
    labelNames: connectionLabels,
    registers,
  });
  const backPressured = new Gauge({
    name: 'sluice_connection_backpressured',
    help: '1 while the connection is at its backpressure threshold',
    labelNames: connectionLabels,
    registers,
  });
  const processorRunning = new Gauge({
    name: 'sluice_processor_running',
    help: '1 while the processor is running',
    labelNames: processorLabels,
    registers,
  });
  const counter = (name: string, help: string) => new Counter({ name, help, labelNames: processorLabels, registers });
  const flowFilesIn = counter('sluice_processor_flowfiles_in_total', 'FlowFiles the processor took from its inputs');
  const flowFilesOut = counter('sluice_processor_flowfiles_out_total', 'FlowFiles the processor transferred');
  const bytesIn = counter('sluice_processor_bytes_in_total', 'Content bytes the processor took');
  const bytesOut = counter('sluice_processor_bytes_out_total', 'Content bytes the processor transferred');
  const errors = counter('sluice_processor_errors_total', 'Sessions the processor rolled back');

  const perFlow = [flowRunning, depth, bytes, backPressured, processorRunning];
  const counters = [flowFilesIn, flowFilesOut, bytesIn, bytesOut, errors];

  /** One pass over every flow's status; stale series (deleted flows, processors) disappear. */
  const update = () => {
    for (const g of perFlow) g.reset();
    for (const c of counters) c.reset();
    const now = Date.now();
    for (const id of manager.ids()) {
      const status = manager.status(id, now);
      flowRunning.set({ flow: id }, status.state === 'running' ? 1 : 0);
      for (const c of Object.values(status.connections)) {
        const labels = { flow: id, connection: c.id };
        depth.set(labels, c.count);
        bytes.set(labels, c.bytes);
        backPressured.set(labels, c.backPressured ? 1 : 0);
      }
      for (const p of Object.values(status.processors)) {
        const labels = { flow: id, processor: p.id, type: p.type };
        processorRunning.set(labels, p.state === 'running' ? 1 : 0);
        flowFilesIn.inc(labels, p.in);
        flowFilesOut.inc(labels, p.out);
        bytesIn.inc(labels, p.bytesIn);
        bytesOut.inc(labels, p.bytesOut);
        errors.inc(labels, p.errors);
      }
    }
  };

  const handler: RequestHandler = async (_req, res) => {
    update();
    res.type(registry.contentType).send(await registry.metrics());
  };
  return { registry, handler };
}
