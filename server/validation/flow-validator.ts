import type { ErrorObject } from 'ajv';
import type { Flow, ResolvedFlow } from '../../flows/flow-schema';
import { flowSchema } from '../../flows/flow-schema';
import { ensureInternalProcessors, isInternalType } from '../../processors/internal/pass-through';
import { relationshipsOf } from '../engine/contract';
import type { ProcessorRegistry } from '../engine/processor-registry';
import { checkProcessorConfig } from '../parameters/check-config';
import { buildParameterScope, type ParameterScope } from '../parameters/parameter-scope';
import { registerSecrets } from '../secrets/redactor';
import { checkServices, partialServiceIssues } from '../services/service-validation';
import { getOrInsert } from '../util/maps';
import { createAjv, toIssues, type ValidationIssue } from './ajv';
import {
  buildScopes,
  type FlowNode,
  type FlowOrigins,
  flattenGroups,
  type NestedScope,
  PASS_THROUGH_RELATIONSHIP,
  type ResolvedEdge,
  resolveEndpoint,
  type Scope,
} from './flatten-groups';
import { checkNesting } from './nesting';

const strictAjv = createAjv();
const validateShape = strictAjv.compile(flowSchema);
const applyFlowDefaults = createAjv({ useDefaults: true }).compile(flowSchema);

export type FlowCheck =
  | {
      ok: true;
      /** The flow as given (what is stored and exported). */
      flow: Flow;
      /** Defaults applied and groups flattened: what the engine runs. */
      resolved: ResolvedFlow;
      /** Every processor and connection id of `resolved` → the component and its JSON path in `flow`. */
      origins: FlowOrigins;
    }
  | { ok: false; issues: ValidationIssue[] };

export interface ValidateOptions {
  /** Directories file processors may use; empty = unrestricted. */
  allowedDirs?: readonly string[];
  /** The server requires a token: listeners may bind beyond loopback. Default false. */
  authenticated?: boolean;
  /** `--parameters`: the value of every parameter of each name, in every context. */
  parameters?: Readonly<Record<string, string>>;
  /** Where `${env:NAME}` references read from (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Add the flow's sensitive values to those redacted from logs, bulletins and answers (default true). False
   * for a flow only checked, not kept: anyone who may validate could otherwise make any text "secret".
   */
  registerSecrets?: boolean;
}

type NestedFlow = NestedScope & {
  schemaVersion: 1 | 2;
  name: string;
  description?: string;
  parameterContexts?: unknown[];
  parameterContext?: string;
};

/**
 * Validates a flow in three layers (after a nesting-depth check), each naming JSON paths: the flow schema, each
 * processor's config schema (and its own checks), then the graph of the flow and of each group in it. On success
 * returns the flow as given and a resolved copy with every default applied and its groups flattened (what the
 * engine runs; see flatten-groups.ts for the ids). A flow without groups or funnels resolves to its own ids.
 * Each config is checked with its `#{parameter}` and `${env:NAME}` references resolved, and the resolved copy
 * runs with them replaced; the flow as given keeps them (see server/parameters/).
 */
export function validateFlow(input: unknown, registry: ProcessorRegistry, options: ValidateOptions = {}): FlowCheck {
  // First, and without recursion: ajv and structuredClone would overflow the stack on a very deep document.
  const deep = checkNesting(input);
  if (deep) return { ok: false, issues: [deep] };
  if (!validateShape(input)) {
    const schemaIssues = toIssues(endpointErrors(validateShape.errors, input));
    return { ok: false, issues: withPartialChecks(input, schemaIssues, registry, options) };
  }
  const flow = input as Flow;
  const nested = structuredClone(flow) as unknown as NestedFlow;
  applyFlowDefaults(nested);

  const issues: ValidationIssue[] = [];
  if (nested.schemaVersion === 1)
    for (const key of ['groups', 'funnels', 'labels', 'parameterContexts', 'parameterContext', 'services'] as const)
      if (nested[key] !== undefined) issues.push({ path: `/${key}`, message: `${key} need "schemaVersion": 2` });

  // Parameters first: every processor's config is checked with its references resolved.
  const parameters = buildParameterScope(nested, options.parameters);
  if (options.registerSecrets !== false) registerSecrets(parameters.secrets);
  issues.push(...parameters.issues);
  const scopes = buildScopes(nested);
  const edges: ResolvedEdge[] = [];
  for (const scope of scopes) checkScope(scope, registry, options, issues, edges, parameters);
  checkPassThroughs(scopes, edges, issues);
  // Services last: references are resolved in the processors' checked configs (and rewritten to global ids).
  const services = checkServices(scopes, registry, parameters, options);
  issues.push(...services.issues);
  if (issues.length > 0) return { ok: false, issues };

  const flat = flattenGroups(nested, scopes, edges, services.services);
  if (flat.issues.length > 0) return { ok: false, issues: flat.issues };
  if (flat.resolved.processors.some((p) => isInternalType(p.type))) ensureInternalProcessors(registry);
  // Nothing to flatten: the defaulted copy as it is (a flow of schemaVersion 1 resolves as it always did).
  const flatAlready = !nested.groups?.length && !nested.funnels?.length;
  let resolved = flat.resolved;
  if (flatAlready) {
    const {
      groups: _groups,
      funnels: _funnels,
      labels: _labels,
      parameterContexts: _contexts,
      parameterContext: _binding,
      ...rest
    } = nested;
    resolved = { ...rest, services: services.services } as unknown as ResolvedFlow;
  }
  return { ok: true, flow, resolved, origins: flat.origins };
}

/**
 * When the schema fails, the checks that can still run on the parts of the document that are well-formed, so one
 * answer names every problem: each processor's config (when nothing in that processor failed the schema),
 * duplicate ids, and connection endpoints (when the endpoint and the ids it may name are well-formed). Returns the
 * schema issues followed by these, without duplicates; malformed parts are skipped, never read as typed.
 */
function withPartialChecks(
  input: unknown,
  schemaIssues: ValidationIssue[],
  registry: ProcessorRegistry,
  options: ValidateOptions,
): ValidationIssue[] {
  const issues = [...schemaIssues];
  if (!isRecord(input)) return issues;
  const failed = schemaIssues.map((i) => i.path);
  /** A schema issue at `path` or inside it. */
  const malformed = (path: string) => failed.some((f) => f === path || f.startsWith(`${path}/`));
  /** A schema issue at one of these lists of a scope, one of their elements, or an element's id. */
  const unsureIds = (scopePath: string, keys: readonly string[]) =>
    failed.some((f) => {
      for (const key of keys) {
        const list = `${scopePath}/${key}`;
        if (f === list) return true;
        if (f.startsWith(`${list}/`) && /^\d+(?:\/id)?$/.test(f.slice(list.length + 1))) return true;
      }
      return false;
    });

  let scopes: Scope[];
  try {
    scopes = buildScopes(sanitizedScope(input));
  } catch {
    return issues;
  }
  const parameters = buildParameterScope(input, options.parameters);
  for (const scope of scopes) {
    const { content, path: at } = scope;
    // Duplicate ids, as checkScope names them.
    const taken = new Map<string, 'processor' | 'other'>();
    for (const key of [
      'processors',
      'inputPorts',
      'outputPorts',
      'funnels',
      'groups',
      'labels',
      'services',
      'connections',
    ] as const)
      (content[key] ?? []).forEach((c, i) => {
        if (c.id === '') return;
        const kind = key === 'processors' ? 'processor' : 'other';
        const before = taken.get(c.id);
        if (before)
          issues.push({
            path: `${at}/${key}/${i}/id`,
            message:
              before === 'processor' && kind === 'processor'
                ? `duplicate processor id "${c.id}"`
                : `duplicate id "${c.id}"`,
          });
        else taken.set(c.id, kind);
      });
    // Each well-formed processor's config.
    (content.processors ?? []).forEach((p, i) => {
      const path = `${at}/processors/${i}`;
      if (p.id === '' || malformed(path) || typeof p.type !== 'string') return;
      const definition = isInternalType(p.type) ? undefined : registry.get(p.type);
      if (!definition) {
        const known = registry
          .types()
          .filter((t) => !isInternalType(t))
          .join(', ');
        issues.push({ path: `${path}/type`, message: `unknown processor type "${p.type}"; known types: ${known}` });
        return;
      }
      const checked = checkProcessorConfig(
        registry,
        p.type,
        p.config,
        `${path}/config`,
        parameters.binding(at),
        options,
      );
      issues.push(...checked.issues);
    });
    issues.push(...partialServiceIssues(scope, registry, parameters, options, malformed));
    // Connection endpoints that name something unknown.
    const here = ['processors', 'funnels', 'inputPorts', 'outputPorts', 'groups'];
    (content.connections ?? []).forEach((c, i) => {
      const path = `${at}/connections/${i}`;
      for (const end of ['source', 'target'] as const) {
        const endpoint: unknown = (c as unknown as Record<string, unknown>)[end];
        if (malformed(`${path}/${end}`) || !isEndpoint(endpoint) || unsureIds(at, here)) continue;
        if (typeof endpoint !== 'string') {
          const child = scope.children.get(endpoint.group);
          if (child && unsureIds(child.path, ['inputPorts', 'outputPorts'])) continue;
        }
        const resolved = resolveEndpoint(scope, endpoint, end, `${path}/${end}`);
        if (!resolved.ok) issues.push(resolved.issue);
      }
    });
  }
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\n${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isEndpoint(value: unknown): value is string | { group: string; port: string } {
  return (
    typeof value === 'string' || (isRecord(value) && typeof value.group === 'string' && typeof value.port === 'string')
  );
}

/**
 * A document that failed the schema as a NestedScope buildScopes can index: every list keeps its length (so
 * JSON paths stay right), each element that is not an object with a string id becomes a placeholder of id "".
 */
function sanitizedScope(raw: Record<string, unknown>, depth = 0): NestedScope {
  const list = (key: string, group: boolean) => {
    const value = raw[key];
    if (!Array.isArray(value)) return undefined;
    return value.map((e: unknown) => {
      if (!isRecord(e) || typeof e.id !== 'string') return { id: '' };
      return group && depth < 64 ? sanitizedScope(e, depth + 1) : { ...e, id: e.id };
    });
  };
  const scope: Record<string, unknown> = { id: typeof raw.id === 'string' ? raw.id : '' };
  for (const key of ['processors', 'connections', 'funnels', 'labels', 'inputPorts', 'outputPorts', 'services'])
    scope[key] = list(key, false);
  scope.groups = list('groups', true);
  return scope as unknown as NestedScope;
}

/**
 * A connection's source or target is a string or a {group, port} object (anyOf): ajv reports both branches.
 * Keep the errors of the branch the value is meant for, or one error when it is neither.
 */
function endpointErrors(errors: readonly ErrorObject[] | null | undefined, input: unknown): ErrorObject[] {
  const out: ErrorObject[] = [];
  const replaced = new Set<string>();
  for (const e of errors ?? []) {
    const m = /^(.*\/connections\/\d+\/(?:source|target))(\/.*)?$/.exec(e.instancePath);
    const branch = /\/properties\/(?:source|target)\/anyOf(?:\/(\d+))?/.exec(e.schemaPath);
    if (!m || !branch) {
      out.push(e);
      continue;
    }
    const value = valueAt(input, m[1]!);
    const meant =
      typeof value === 'string' ? '0' : value !== null && typeof value === 'object' && !Array.isArray(value) ? '1' : '';
    if (meant === '') {
      if (!replaced.has(m[1]!))
        out.push({ ...e, instancePath: m[1]!, keyword: 'type', message: 'must be an id or {"group", "port"}' });
      replaced.add(m[1]!);
    } else if (branch[1] === meant) out.push(e);
  }
  return out;
}

function valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const key of pointer.split('/').slice(1)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}

/** The checks of one group (or the flow): ids, processors, connections, relationships. */
function checkScope(
  scope: Scope,
  registry: ProcessorRegistry,
  options: ValidateOptions,
  issues: ValidationIssue[],
  edges: ResolvedEdge[],
  parameters: ParameterScope,
): void {
  const { content, path: at } = scope;
  const processors = content.processors ?? [];
  const connections = content.connections ?? [];

  // One namespace per group: processors, ports, funnels, groups, labels and connections.
  const taken = new Map<string, 'processor' | 'other'>();
  const claim = (id: string, path: string, kind: 'processor' | 'other') => {
    const before = taken.get(id);
    if (before)
      issues.push({
        path: `${path}/id`,
        message:
          before === 'processor' && kind === 'processor' ? `duplicate processor id "${id}"` : `duplicate id "${id}"`,
      });
    else taken.set(id, kind);
  };
  processors.forEach((p, i) => {
    claim(p.id, `${at}/processors/${i}`, 'processor');
  });
  for (const key of ['inputPorts', 'outputPorts', 'funnels', 'groups', 'labels', 'services'] as const)
    (content[key] ?? []).forEach((c, i) => {
      claim(c.id, `${at}/${key}/${i}`, 'other');
    });
  connections.forEach((c, i) => {
    claim(c.id, `${at}/connections/${i}`, 'other');
  });

  const relationships = new Map<string, Set<string>>();
  const publicTypes = () =>
    registry
      .types()
      .filter((t) => !isInternalType(t))
      .join(', ');
  processors.forEach((p, i) => {
    const path = `${at}/processors/${i}`;
    const definition = isInternalType(p.type) ? undefined : registry.get(p.type);
    if (!definition) {
      issues.push({
        path: `${path}/type`,
        message: `unknown processor type "${p.type}"; known types: ${publicTypes()}`,
      });
      return;
    }
    const checked = checkProcessorConfig(registry, p.type, p.config, `${path}/config`, parameters.binding(at), options);
    issues.push(...checked.issues);
    p.config = checked.config;
    if (checked.issues.length === 0 && !relationships.has(p.id))
      relationships.set(p.id, new Set(relationshipsOf(definition, checked.config).map((r) => r.name)));
    const names = relationships.get(p.id);
    p.autoTerminate.forEach((rel, j) => {
      if (names && !names.has(rel))
        issues.push({
          path: `${path}/autoTerminate/${j}`,
          message: `"${rel}" is not a relationship of processor "${p.id}" (${p.type}); expected one of: ${[...names].join(', ')}`,
        });
    });
  });

  const connected = new Map<string, Set<string>>();
  const fed = new Set<string>();
  connections.forEach((c, i) => {
    const path = `${at}/connections/${i}`;
    const source = resolveEndpoint(scope, c.source, 'source', `${path}/source`);
    const target = resolveEndpoint(scope, c.target, 'target', `${path}/target`);
    for (const end of [source, target]) if (!end.ok) issues.push(end.issue);
    if (target.ok) {
      const t = target.node;
      if (t.kind === 'processor') {
        fed.add(t.id);
        const spec = processors[t.index!]!;
        if (registry.get(spec.type)?.input === 'forbidden' && !isInternalType(spec.type))
          issues.push({
            path: `${path}/target`,
            message: `processor "${spec.id}" (${spec.type}) is a source and accepts no incoming connection`,
          });
      }
    }
    if (source.ok) {
      const s = source.node;
      const spec = s.kind === 'processor' ? processors[s.index!] : undefined;
      const names = spec ? relationships.get(spec.id) : new Set([PASS_THROUGH_RELATIONSHIP]);
      c.relationships.forEach((rel, j) => {
        if (names && !names.has(rel))
          issues.push({
            path: `${path}/relationships/${j}`,
            message: spec
              ? `"${rel}" is not a relationship of processor "${spec.id}" (${spec.type}); expected one of: ${[...names].join(', ')}`
              : `"${rel}" is not a relationship of ${s.label}: ports and funnels have one relationship, "${PASS_THROUGH_RELATIONSHIP}"`,
          });
        if (spec) getOrInsert(connected, spec.id, () => new Set<string>()).add(rel);
      });
    }
    if (source.ok && target.ok) edges.push({ scope, connection: c, path, source: source.node, target: target.node });
  });

  processors.forEach((p, i) => {
    const names = relationships.get(p.id);
    if (!names) return;
    for (const rel of names) {
      if (!connected.get(p.id)?.has(rel) && !p.autoTerminate.includes(rel))
        issues.push({
          path: `${at}/processors/${i}`,
          message: `relationship "${rel}" of processor "${p.id}" is neither connected nor auto-terminated`,
        });
    }
    if (registry.get(p.type)?.input === 'required' && !fed.has(p.id))
      issues.push({
        path: `${at}/processors/${i}`,
        message: `processor "${p.id}" (${p.type}) needs an incoming connection`,
      });
  });
}

/** Every port and funnel needs a connection in and a connection out (on the proper side of the group's border). */
function checkPassThroughs(scopes: readonly Scope[], edges: readonly ResolvedEdge[], issues: ValidationIssue[]): void {
  const ins = new Set<FlowNode>();
  const outs = new Set<FlowNode>();
  for (const e of edges) {
    outs.add(e.source);
    ins.add(e.target);
  }
  for (const scope of scopes) {
    const group = scope.groups.at(-1);
    for (const f of scope.funnels.values()) {
      if (!ins.has(f)) issues.push({ path: f.path, message: `${f.label} has no incoming connection` });
      if (!outs.has(f)) issues.push({ path: f.path, message: `${f.label} leads nowhere: connect it to something` });
    }
    for (const p of scope.inputPorts.values()) {
      if (!ins.has(p))
        issues.push({
          path: p.path,
          message: `${p.label} has no incoming connection: connect something in the parent group to {"group": "${group}", "port": "${p.id}"}`,
        });
      if (!outs.has(p))
        issues.push({ path: p.path, message: `${p.label} leads nowhere: connect it to something inside the group` });
    }
    for (const p of scope.outputPorts.values()) {
      if (!ins.has(p))
        issues.push({
          path: p.path,
          message: `${p.label} has no incoming connection: connect something inside the group to it`,
        });
      if (!outs.has(p))
        issues.push({
          path: p.path,
          message: `${p.label} leads nowhere: connect {"group": "${group}", "port": "${p.id}"} to something in the parent group`,
        });
    }
  }
}
