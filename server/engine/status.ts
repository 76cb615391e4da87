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
}

export interface FlowStatus {
  flowId: string;
  running: boolean;
  time: number;
  processors: Record<string, ProcessorStatus>;
  connections: Record<string, ConnectionStatus>;
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
    };
  }
  return { flowId: engine.id, running: engine.isRunning, time: now, processors, connections };
}
