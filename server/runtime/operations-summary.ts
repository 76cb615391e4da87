/**
 * The Summary (NiFi's Summary page): every processor and every connection of every flow, one row each, with
 * its live status, where the canvas draws it and the names of its group path. Built from the definitions as
 * stored and each flow's status (the engine's, or the cluster's aggregate): nothing here touches a queue.
 */
import type { ProcessorState } from '../engine/running-processor';
import type { ConnectionStatus, ProcessorStatus } from '../engine/status';
import { GROUP_SEPARATOR } from '../validation/flatten-groups';
import { type ComponentLocation, componentsOf, type FlowComponent, isObject } from './flow-components';
import type { FlowState, FlowStatusView, FlowSummary } from './flow-entry';

/** What the summary reads of the FlowManager. */
export interface FlowSource {
  list(): FlowSummary[];
  get(id: string): unknown;
  status(id: string, now?: number): FlowStatusView;
}

export interface SummaryFlow {
  id: string;
  name: string;
  state: FlowState;
}

interface Row extends ComponentLocation {
  flowId: string;
  flowName: string;
  globalId: string;
  name: string;
}

export interface ProcessorRow extends Row {
  type: string;
  /** "invalid": the flow does not validate, so nothing of it runs. */
  state: ProcessorState | 'invalid';
  /** Tasks inside onTrigger now. */
  activeTasks: number;
  /** FlowFiles and bytes in and out over (about) the last five minutes. */
  lastFiveMinutes: ProcessorStatus['lastFiveMinutes'];
  /** Share of each second (of each task) spent in onTrigger, idle, and waiting on a full outgoing queue. */
  busyMsPerSecond: number;
  idleMsPerSecond: number;
  backPressuredMsPerSecond: number;
  /** Failed sessions since the processor started. */
  errors: number;
  /** Bulletins the processor holds now (its last few). */
  bulletins: number;
}

export interface ConnectionEnd {
  /** Global id. */
  id: string;
  name: string;
}

export interface ConnectionRow extends Row {
  source: ConnectionEnd;
  target: ConnectionEnd;
  relationships: string[];
  count: number;
  bytes: number;
  objectThreshold: number;
  bytesThreshold: number;
  /** The fuller of the two backpressure thresholds, in percent (may exceed 100: a batch can overshoot). */
  fillPercent: number;
  backPressured: boolean;
  oldestAgeMs: number;
  quarantined: number;
}

export interface OperationsSummary {
  time: number;
  flows: SummaryFlow[];
  processors: ProcessorRow[];
  connections: ConnectionRow[];
  /** There were more rows than the limit; the lists stop there. */
  truncated: boolean;
}

export const SUMMARY_ROW_LIMIT = 10_000;

/** Ports and funnels run as pass-through processors (types starting with "~"): they are not listed as processors. */
const isPassThrough = (type: string) => type.startsWith('~');

export function buildSummary(
  source: FlowSource,
  options: { flowId?: string; limit?: number; now?: number } = {},
): OperationsSummary {
  const now = options.now ?? Date.now();
  const limit = options.limit ?? SUMMARY_ROW_LIMIT;
  const flows = source
    .list()
    .filter((f) => options.flowId === undefined || f.id === options.flowId)
    .sort((a, b) => a.name.localeCompare(b.name));
  const summary: OperationsSummary = { time: now, flows: [], processors: [], connections: [], truncated: false };
  for (const flow of flows) {
    summary.flows.push({ id: flow.id, name: flow.name, state: flow.state });
    const status = source.status(flow.id, now);
    const components = componentsOf(source.get(flow.id));
    const names = new Map(components.map((c) => [c.globalId, c.name]));
    for (const c of components) {
      const base = { flowId: flow.id, flowName: flow.name, ...location(c), globalId: c.globalId, name: c.name };
      if (c.kind === 'processor') {
        const type = typeof c.spec.type === 'string' ? c.spec.type : '';
        if (isPassThrough(type)) continue;
        if (summary.processors.length >= limit) summary.truncated = true;
        else summary.processors.push(processorRow(base, type, status.processors[c.globalId], flow.state));
      } else if (c.kind === 'connection') {
        if (summary.connections.length >= limit) summary.truncated = true;
        else summary.connections.push(connectionRow(base, c, status.connections[c.globalId], names));
      }
    }
  }
  return summary;
}

function location(c: FlowComponent): ComponentLocation {
  return { groups: c.groups, groupNames: c.groupNames, id: c.id };
}

function processorRow(base: Row, type: string, p: ProcessorStatus | undefined, flowState: FlowState): ProcessorRow {
  return {
    ...base,
    type,
    state: flowState === 'invalid' ? 'invalid' : (p?.state ?? 'stopped'),
    activeTasks: p?.activeTasks ?? 0,
    lastFiveMinutes: p?.lastFiveMinutes ?? { in: 0, out: 0, bytesIn: 0, bytesOut: 0 },
    busyMsPerSecond: p?.busyMsPerSecond ?? 0,
    idleMsPerSecond: p?.idleMsPerSecond ?? 1000,
    backPressuredMsPerSecond: p?.backPressuredMsPerSecond ?? 0,
    errors: p?.errors ?? 0,
    bulletins: p?.bulletins.length ?? 0,
  };
}

function connectionRow(
  base: Row,
  c: FlowComponent,
  q: ConnectionStatus | undefined,
  names: ReadonlyMap<string, string>,
): ConnectionRow {
  const end = (endpoint: unknown): ConnectionEnd => {
    const id = endpointId(c.groups, endpoint);
    return { id, name: names.get(id) ?? id };
  };
  const relationships = Array.isArray(c.spec.relationships)
    ? c.spec.relationships.filter((r): r is string => typeof r === 'string')
    : [];
  const count = q?.count ?? 0;
  const bytes = q?.bytes ?? 0;
  const objectThreshold = q?.objectThreshold ?? 0;
  const bytesThreshold = q?.bytesThreshold ?? 0;
  const fill = Math.max(
    objectThreshold > 0 ? count / objectThreshold : 0,
    bytesThreshold > 0 ? bytes / bytesThreshold : 0,
  );
  return {
    ...base,
    source: end(c.spec.source),
    target: end(c.spec.target),
    relationships,
    count,
    bytes,
    objectThreshold,
    bytesThreshold,
    fillPercent: Math.round(fill * 1000) / 10,
    backPressured: q?.backPressured ?? false,
    oldestAgeMs: q?.oldestAgeMs ?? 0,
    quarantined: q?.quarantined ?? 0,
  };
}

/** The global id a connection's endpoint names: a component of its level, or a port of a child group. */
function endpointId(groups: readonly string[], endpoint: unknown): string {
  if (typeof endpoint === 'string') return [...groups, endpoint].join(GROUP_SEPARATOR);
  if (isObject(endpoint) && typeof endpoint.group === 'string' && typeof endpoint.port === 'string')
    return [...groups, endpoint.group, endpoint.port].join(GROUP_SEPARATOR);
  return '';
}
