import type { Flow } from '../../flows/flow-schema';
import type { FlowEngine } from '../engine/flow-engine';
import type { FlowStatus } from '../engine/status';
import type { ValidationIssue } from '../validation/ajv';

export type FlowState = 'running' | 'stopped' | 'invalid';

export interface FlowSummary {
  id: string;
  name: string;
  description?: string;
  state: FlowState;
  valid: boolean;
  processors: number;
  connections: number;
}

/** The engine's FlowStatus plus what the server knows about the flow. */
export interface FlowStatusView extends FlowStatus {
  state: FlowState;
  validation: { valid: boolean; issues: ValidationIssue[] };
  /** Processors stopped one by one: they stay stopped when the flow starts. */
  stoppedProcessors: string[];
}

export type FlowChangeAction =
  | 'created'
  | 'updated'
  | 'deleted'
  | 'started'
  | 'stopped'
  | 'processor-started'
  | 'processor-stopped'
  | 'queue-emptied';

export interface FlowChange {
  flowId: string;
  action: FlowChangeAction;
}

/** One flow held by the FlowManager. */
export interface Entry {
  id: string;
  /** As saved: a valid flow, or the JSON of a stored flow that no longer validates (kept, never lost). */
  definition: unknown;
  engine?: FlowEngine;
  /**
   * The engine of the last valid definition while an invalid one is saved over it: stopped, its queues (and
   * their FlowFiles) kept, so a later valid save applies to it as to a running engine, and its queues can still
   * be listed and emptied. Never set together with `engine`.
   */
  parked?: FlowEngine;
  issues: ValidationIssue[];
  /** The user started it (and has not stopped it): it runs again after a restart. */
  wantRunning: boolean;
  stoppedProcessors: Set<string>;
}

/**
 * How a FlowManager shows its flows. In cluster mode the server runs no flow itself: a flow's state is what
 * the user asked for, and its status is the workers' aggregate.
 */
export interface EntryView {
  /** False: this process runs no flow (cluster mode); state follows `wantRunning`. Default true. */
  runsFlows?: boolean;
  /** Replaces the local engine's status (e.g. by the cluster's aggregate). */
  status?: (flowId: string, local: FlowStatus, now: number) => FlowStatus;
}

export function stateOf(entry: Entry, view: EntryView = {}): FlowState {
  if (!entry.engine) return 'invalid';
  if (view.runsFlows === false) return entry.wantRunning ? 'running' : 'stopped';
  return entry.engine.isRunning ? 'running' : 'stopped';
}

export function summaryOf(entry: Entry, view: EntryView = {}): FlowSummary {
  const d = (entry.definition ?? {}) as Partial<Flow>;
  return {
    id: entry.id,
    name: typeof d.name === 'string' ? d.name : entry.id,
    ...(typeof d.description === 'string' ? { description: d.description } : {}),
    state: stateOf(entry, view),
    valid: entry.engine !== undefined,
    processors: Array.isArray(d.processors) ? d.processors.length : 0,
    connections: Array.isArray(d.connections) ? d.connections.length : 0,
  };
}

/** The engine's status (an empty one for an invalid flow, which has no engine) with the flow's own state. */
export function statusViewOf(entry: Entry, now: number, view: EntryView = {}): FlowStatusView {
  let base: FlowStatus = (entry.engine ?? entry.parked)?.status(now) ?? {
    flowId: entry.id,
    running: false,
    time: now,
    processors: {},
    connections: {},
    services: {},
  };
  if (view.status && entry.engine) base = view.status(entry.id, base, now);
  return {
    ...base,
    state: stateOf(entry, view),
    validation: { valid: entry.engine !== undefined, issues: entry.issues },
    stoppedProcessors: [...entry.stoppedProcessors],
  };
}
