/**
 * Process groups at run time: the engine runs one flat list of processors and connections, so a flow with groups
 * is flattened after validation. Each component keeps its id within its group; its global id (what the engine,
 * the status, the queues and provenance use) is the ids of the groups it is in and its own id, joined by "__":
 *
 * | in the flow as written | global id |
 * | --- | --- |
 * | processor `gen` at the top level | `gen` (top-level ids never change, so a flow without groups runs as before) |
 * | processor `validate` in group `enrich` | `enrich__validate` |
 * | connection `c1` in group `rules` inside group `enrich` | `enrich__rules__c1` |
 * | input port `in` of group `enrich` | `enrich__in` (a pass-through processor of type ~InputPort) |
 * | funnel `f1` in group `enrich` | `enrich__f1` (a pass-through processor of type ~Funnel) |
 *
 * "__" keeps global ids in the id alphabet (letters, digits, _ and -): they are NATS subject tokens, stream and
 * consumer names, and keys of the durable repository, so the 64-character limit of an id applies to them too.
 * An id may itself contain "__", so two components can meet under one global id: the validator reports that,
 * as it reports a global id longer than 64 characters, at the component's JSON path. `origins` maps every
 * global id back to the component and its JSON path in the flow as written.
 */
import {
  type Endpoint,
  type FunnelSpec,
  idPattern,
  type LabelSpec,
  type PortSpec,
  processorSchema,
  type ResolvedConnection,
  type ResolvedFlow,
  type ResolvedProcessor,
  type ResolvedService,
} from '../../flows/flow-schema';
import {
  FUNNEL_TYPE,
  INPUT_PORT_TYPE,
  OUTPUT_PORT_TYPE,
  PASS_THROUGH_RELATIONSHIP,
} from '../../processors/internal/pass-through';
import { createAjv, type ValidationIssue } from './ajv';

export const GROUP_SEPARATOR = '__';

/** What a connection can start or end at. */
export type NodeKind = 'processor' | 'inputPort' | 'outputPort' | 'funnel';

/** Where a component of the flattened flow comes from. */
export interface ComponentOrigin {
  kind: NodeKind | 'connection';
  /** JSON pointer of the component in the flow as written, e.g. "/groups/0/processors/3". */
  path: string;
  /** Ids of the groups it is in, outermost first ([] at the top level). */
  groups: readonly string[];
  /** Its id within its group. */
  id: string;
}

/** Global id → origin, for every processor and connection of a flattened flow. */
export type FlowOrigins = Record<string, ComponentOrigin>;

/** The global id of component `id` inside the groups `groups` (outermost first). */
export function globalId(groups: readonly string[], id: string): string {
  return [...groups, id].join(GROUP_SEPARATOR);
}

/** A connection as resolved from the written flow: defaults applied, endpoints as written. */
export type NestedConnection = Omit<ResolvedConnection, 'source' | 'target'> & { source: Endpoint; target: Endpoint };

/** The flow or one of its groups, with defaults applied. */
export interface NestedScope {
  id: string;
  name?: string;
  processors?: ResolvedProcessor[];
  connections?: NestedConnection[];
  funnels?: FunnelSpec[];
  labels?: LabelSpec[];
  groups?: NestedGroup[];
  inputPorts?: PortSpec[];
  outputPorts?: PortSpec[];
  /** Controller services: local ids here, global ids once resolved (server/services/service-validation.ts). */
  services?: ResolvedService[];
}
export type NestedGroup = NestedScope;

/** A processor, port or funnel a connection can name, as seen from one group. */
export interface FlowNode {
  kind: NodeKind;
  globalId: string;
  /** JSON pointer of the component. */
  path: string;
  id: string;
  /** For messages: `processor "gen"`, `input port "in" of group "enrich"`. */
  label: string;
  /** Index in its scope's processors (processors only). */
  index?: number;
}

/** The flow (the outermost group) or a group, indexed. */
export interface Scope {
  /** JSON pointer: "" for the flow, "/groups/0/groups/1" for a group. */
  path: string;
  /** Ids of the groups from the outermost to this one ([] for the flow). */
  groups: readonly string[];
  content: NestedScope;
  parent: Scope | undefined;
  /** Child groups by id (the first of a duplicated id). */
  children: Map<string, Scope>;
  processors: Map<string, FlowNode>;
  funnels: Map<string, FlowNode>;
  /** This group's own ports (none for the flow). */
  inputPorts: Map<string, FlowNode>;
  outputPorts: Map<string, FlowNode>;
}

/** The flow and every group in it, parents before children. */
export function buildScopes(flow: NestedScope): Scope[] {
  const scopes: Scope[] = [];
  const visit = (content: NestedScope, path: string, groups: readonly string[], parent: Scope | undefined) => {
    const scope: Scope = {
      path,
      groups,
      content,
      parent,
      children: new Map(),
      processors: new Map(),
      funnels: new Map(),
      inputPorts: new Map(),
      outputPorts: new Map(),
    };
    const where = groups.length > 0 ? ` of group "${groups.at(-1)}"` : '';
    (content.processors ?? []).forEach((p, i) => {
      if (!scope.processors.has(p.id))
        scope.processors.set(
          p.id,
          node('processor', `${path}/processors/${i}`, groups, p.id, `processor "${p.id}"`, i),
        );
    });
    (content.funnels ?? []).forEach((f, i) => {
      if (!scope.funnels.has(f.id))
        scope.funnels.set(f.id, node('funnel', `${path}/funnels/${i}`, groups, f.id, `funnel "${f.id}"`));
    });
    (content.inputPorts ?? []).forEach((p, i) => {
      if (!scope.inputPorts.has(p.id))
        scope.inputPorts.set(
          p.id,
          node('inputPort', `${path}/inputPorts/${i}`, groups, p.id, `input port "${p.id}"${where}`),
        );
    });
    (content.outputPorts ?? []).forEach((p, i) => {
      if (!scope.outputPorts.has(p.id))
        scope.outputPorts.set(
          p.id,
          node('outputPort', `${path}/outputPorts/${i}`, groups, p.id, `output port "${p.id}"${where}`),
        );
    });
    scopes.push(scope);
    if (parent && !parent.children.has(content.id)) parent.children.set(content.id, scope);
    (content.groups ?? []).forEach((g, i) => {
      visit(g, `${path}/groups/${i}`, [...groups, g.id], scope);
    });
  };
  visit(flow, '', [], undefined);
  return scopes;
}

function node(kind: NodeKind, path: string, groups: readonly string[], id: string, label: string, index?: number) {
  return { kind, globalId: globalId(groups, id), path, id, label, ...(index !== undefined && { index }) };
}

export type Resolution = { ok: true; node: FlowNode } | { ok: false; issue: ValidationIssue };

/**
 * The node a connection of `scope` names as its source or target. `path` is the JSON pointer of the endpoint
 * (".../connections/2/target"): an issue names it, or its "group" or "port" member.
 */
export function resolveEndpoint(scope: Scope, endpoint: Endpoint, end: 'source' | 'target', path: string): Resolution {
  const here = scope.groups.length > 0 ? 'this group' : 'this flow';
  if (typeof endpoint === 'string') {
    const found = scope.processors.get(endpoint) ?? scope.funnels.get(endpoint);
    if (found) return { ok: true, node: found };
    const entering = scope.inputPorts.get(endpoint);
    const leaving = scope.outputPorts.get(endpoint);
    if (end === 'source' && entering) return { ok: true, node: entering };
    if (end === 'target' && leaving) return { ok: true, node: leaving };
    const fail = (message: string): Resolution => ({ ok: false, issue: { path, message } });
    if (entering)
      return fail(
        `input port "${endpoint}" of this group is where FlowFiles enter the group: it can only be a connection's source here`,
      );
    if (leaving)
      return fail(
        `output port "${endpoint}" of this group is where FlowFiles leave the group: it can only be a connection's target here`,
      );
    if (scope.children.has(endpoint)) {
      const ports = end === 'target' ? 'input' : 'output';
      return fail(`"${endpoint}" is a group: name one of its ${ports} ports, {"group": "${endpoint}", "port": "..."}`);
    }
    const kinds = ['processor'];
    if (scope.funnels.size > 0 || scope.children.size > 0 || scope.groups.length > 0) kinds.push('funnel');
    if (scope.groups.length > 0) kinds.push(end === 'source' ? 'input port' : 'output port');
    const named = kinds.length === 1 ? kinds[0] : `${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)}`;
    return fail(`no ${named} with id "${endpoint}" in ${here}`);
  }
  const child = scope.children.get(endpoint.group);
  if (!child)
    return { ok: false, issue: { path: `${path}/group`, message: `no group with id "${endpoint.group}" in ${here}` } };
  const wanted = end === 'target' ? child.inputPorts : child.outputPorts;
  const found = wanted.get(endpoint.port);
  if (found) return { ok: true, node: found };
  const kind = end === 'target' ? 'input' : 'output';
  const other = end === 'target' ? child.outputPorts.get(endpoint.port) : child.inputPorts.get(endpoint.port);
  const known = [...wanted.keys()];
  const choices = known.length > 0 ? `its ${kind} ports: ${known.join(', ')}` : `it has no ${kind} ports`;
  const message = other
    ? `"${endpoint.port}" is ${end === 'target' ? 'an output' : 'an input'} port of group "${endpoint.group}"; a connection ${end === 'target' ? 'into the group must end at' : 'out of the group must start at'} one of its ${kind} ports (${choices})`
    : `group "${endpoint.group}" has no ${kind} port "${endpoint.port}"; ${choices}`;
  return { ok: false, issue: { path: `${path}/port`, message } };
}

/** A connection of a scope with both ends resolved. */
export interface ResolvedEdge {
  scope: Scope;
  connection: NestedConnection;
  /** JSON pointer of the connection. */
  path: string;
  source: FlowNode;
  target: FlowNode;
}

const applyProcessorDefaults = createAjv({ useDefaults: true }).compile(processorSchema);
const ID = new RegExp(idPattern);

/** A port or funnel as the processor that runs it. */
function passThroughProcessor(n: FlowNode, name: string | undefined): ResolvedProcessor {
  const type = n.kind === 'inputPort' ? INPUT_PORT_TYPE : n.kind === 'outputPort' ? OUTPUT_PORT_TYPE : FUNNEL_TYPE;
  const p: Record<string, unknown> = { id: n.globalId, type, name: name ?? n.id };
  applyProcessorDefaults(p);
  return p as unknown as ResolvedProcessor;
}

/**
 * The flat flow the engine runs: the flow's own processors and connections first (unchanged), then its funnels,
 * then each group's (depth first): processors, funnels, input ports, output ports, connections. Also checks
 * what only the flat flow shows: two components under one global id, a global id too long to be an id, and
 * connections through ports and funnels alone that form a loop (FlowFiles would circle forever).
 */
export function flattenGroups(
  flow: NestedScope & { schemaVersion: 1 | 2; description?: string },
  scopes: readonly Scope[],
  edges: readonly ResolvedEdge[],
  /** The services under their global ids (server/services/service-validation.ts resolves them). */
  services: ResolvedService[] = [],
): { resolved: ResolvedFlow; origins: FlowOrigins; issues: ValidationIssue[] } {
  const processors: ResolvedProcessor[] = [];
  const connections: ResolvedConnection[] = [];
  const origins: FlowOrigins = {};
  const issues: ValidationIssue[] = [];

  const claim = (id: string, origin: ComponentOrigin) => {
    const taken = origins[id];
    if (taken) {
      issues.push({
        path: `${origin.path}/id`,
        message: `${describe(origin)} becomes "${id}" when the groups are flattened, which ${describe(taken)} (${taken.path}) already is; rename one of them`,
      });
      return false;
    }
    if (!ID.test(id))
      issues.push({
        path: `${origin.path}/id`,
        message: `${describe(origin)} becomes "${id}" when the groups are flattened: longer than 64 characters; use shorter ids for it or its groups`,
      });
    origins[id] = origin;
    return true;
  };

  const byScope = new Map<Scope, ResolvedEdge[]>();
  for (const e of edges) {
    const list = byScope.get(e.scope);
    if (list) list.push(e);
    else byScope.set(e.scope, [e]);
  }
  for (const scope of scopes) {
    const { content, groups, path } = scope;
    (content.processors ?? []).forEach((p, i) => {
      const id = globalId(groups, p.id);
      if (claim(id, { kind: 'processor', path: `${path}/processors/${i}`, groups, id: p.id }))
        processors.push(groups.length > 0 ? { ...p, id } : p);
    });
    const passThrough = (n: FlowNode, name?: string) => {
      if (claim(n.globalId, { kind: n.kind, path: n.path, groups, id: n.id }))
        processors.push(passThroughProcessor(n, name));
    };
    for (const f of scope.funnels.values()) passThrough(f);
    for (const [portId, n] of scope.inputPorts) passThrough(n, content.inputPorts?.find((p) => p.id === portId)?.name);
    for (const [portId, n] of scope.outputPorts)
      passThrough(n, content.outputPorts?.find((p) => p.id === portId)?.name);
    for (const e of byScope.get(scope) ?? []) {
      const id = globalId(groups, e.connection.id);
      if (!claim(id, { kind: 'connection', path: e.path, groups, id: e.connection.id })) continue;
      connections.push(
        groups.length > 0 || typeof e.connection.source !== 'string' || typeof e.connection.target !== 'string'
          ? { ...e.connection, id, source: e.source.globalId, target: e.target.globalId }
          : (e.connection as ResolvedConnection),
      );
    }
  }
  issues.push(...passThroughLoops(edges));

  const resolved: ResolvedFlow = {
    schemaVersion: flow.schemaVersion,
    id: flow.id,
    name: flow.name ?? flow.id,
    ...(flow.description !== undefined && { description: flow.description }),
    processors,
    connections,
    services,
  };
  return { resolved, origins, issues };
}

function describe(o: ComponentOrigin): string {
  const kind = {
    processor: 'processor',
    connection: 'connection',
    inputPort: 'input port',
    outputPort: 'output port',
    funnel: 'funnel',
  }[o.kind];
  const where = o.groups.length > 0 ? ` of group "${o.groups.join('/')}"` : '';
  return `${kind} "${o.id}"${where}`;
}

/** A loop of connections whose every end is a port or a funnel: an issue at one connection of each such loop. */
function passThroughLoops(edges: readonly ResolvedEdge[]): ValidationIssue[] {
  const next = new Map<string, ResolvedEdge[]>();
  for (const e of edges) {
    if (e.source.kind === 'processor' || e.target.kind === 'processor') continue;
    const list = next.get(e.source.globalId);
    if (list) list.push(e);
    else next.set(e.source.globalId, [e]);
  }
  const issues: ValidationIssue[] = [];
  const state = new Map<string, 'open' | 'done'>();
  // Iterative depth-first search: the trail holds the edges from the start to the node being looked at.
  for (const start of next.keys()) {
    if (state.has(start)) continue;
    const stack: { id: string; edges: ResolvedEdge[]; i: number; via?: ResolvedEdge }[] = [
      { id: start, edges: next.get(start) ?? [], i: 0 },
    ];
    state.set(start, 'open');
    while (stack.length > 0) {
      const top = stack.at(-1)!;
      const e = top.edges[top.i++];
      if (!e) {
        state.set(top.id, 'done');
        stack.pop();
        continue;
      }
      const to = e.target.globalId;
      const seen = state.get(to);
      if (seen === 'open') {
        const from = stack.findIndex((f) => f.id === to);
        const loop = [...stack.slice(from + 1).map((f) => f.via!), e];
        issues.push({
          path: e.path,
          message: `connections through ports and funnels alone form a loop (${[...loop.map((l) => l.source.label), e.target.label].join(' → ')}): FlowFiles would circle in it forever; put a processor in the loop`,
        });
      } else if (seen === undefined) {
        state.set(to, 'open');
        stack.push({ id: to, edges: next.get(to) ?? [], i: 0, via: e });
      }
    }
  }
  return issues;
}

/** The relationship of every port and funnel. */
export { PASS_THROUGH_RELATIONSHIP };
