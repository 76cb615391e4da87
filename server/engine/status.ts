import type { ServiceStatus } from '../services/engine-services';
import type { FlowEngine } from './flow-engine';
import type { ProcessorCounters, ProcessorRates } from './processor-stats';
import type { Bulletin, ProcessorState } from './running-processor';

export interface ProcessorStatus extends ProcessorCounters, ProcessorRates {
  id: string;
  type: string;
  name: string;
  state: ProcessorState;
  /** Tasks inside onTrigger right now. */
  activeTasks: number;
  lastFiveMinutes: { in: number; out: number; bytesIn: number; bytesOut: number };
  bulletins: Bulletin[];
}

export interface ConnectionStatus {
  id: string;
  source: string;
  target: string;
  count: number;
  bytes: number;
  inFlight: number;
  penalized: number;
  objectThreshold: number;
  bytesThreshold: number;
  backPressured: boolean;
  oldestAgeMs: number;
  /** FlowFiles set aside in this connection's quarantine (their sessions kept failing). */
  quarantined: number;
  /** Broker-backed queues (NATS): messages delivered and not acknowledged, FlowFiles redelivered here, messages. */
  ackPending?: number;
  redelivered?: number;
  messages?: number;
}

/** The state of a queue back end outside the process, e.g. the NATS connection (which adds its own fields). */
export interface BackendStatus {
  kind: string;
  connected: boolean;
}

export interface FlowStatus {
  flowId: string;
  running: boolean;
  time: number;
  processors: Record<string, ProcessorStatus>;
  connections: Record<string, ConnectionStatus>;
  /** Controller services by global id: state ("failed" with the error), and which processors reference each. */
  services: Record<string, ServiceStatus>;
  backend?: BackendStatus;
}

/** A snapshot of a running (or stopped) flow: readable at any moment, cheap enough to push every second. */
export function flowStatus(engine: FlowEngine, now: number): FlowStatus {
  const processors: Record<string, ProcessorStatus> = {};
  for (const p of engine.processors.values()) {
    processors[p.id] = {
      id: p.id,
      type: p.spec.type,
      name: p.spec.name ?? p.id,
      state: p.state,
      activeTasks: p.runningTasks,
      ...p.stats.counters,
      ...p.stats.currentRates(),
      lastFiveMinutes: p.stats.lastFiveMinutes(),
      bulletins: [...p.bulletins],
    };
  }
  const connections: Record<string, ConnectionStatus> = {};
  for (const c of engine.connections.values()) {
    const d = c.queue.depth();
    const oldest = c.queue.oldestEntryDate();
    connections[c.id] = {
      id: c.id,
      source: c.spec.source,
      target: c.spec.target,
      count: d.count,
      bytes: d.bytes,
      inFlight: d.inFlight,
      penalized: d.penalized,
      objectThreshold: c.objectThreshold,
      bytesThreshold: c.bytesThreshold,
      backPressured: c.isFull(),
      oldestAgeMs: oldest === undefined ? 0 : Math.max(0, now - oldest),
      quarantined: c.quarantine.depth().count,
    };
    if (d.ackPending !== undefined) connections[c.id]!.ackPending = d.ackPending;
    if (d.redelivered !== undefined) connections[c.id]!.redelivered = d.redelivered;
    if (d.messages !== undefined) connections[c.id]!.messages = d.messages;
  }
  const services = engine.services.status(engine.flow.processors);
  const status: FlowStatus = {
    flowId: engine.id,
    running: engine.isRunning,
    time: now,
    processors,
    connections,
    services,
  };
  if (engine.backendStatus) status.backend = engine.backendStatus();
  return status;
}
