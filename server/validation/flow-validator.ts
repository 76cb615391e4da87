import type { Flow, ResolvedFlow } from '../../flows/flow-schema';
import { flowSchema } from '../../flows/flow-schema';
import { relationshipsOf } from '../engine/contract';
import type { ProcessorRegistry } from '../engine/processor-registry';
import { getOrInsert } from '../util/maps';
import { createAjv, toIssues, type ValidationIssue } from './ajv';
import { checkNesting } from './nesting';

const strictAjv = createAjv();
const validateShape = strictAjv.compile(flowSchema);
const applyFlowDefaults = createAjv({ useDefaults: true }).compile(flowSchema);

export type FlowCheck = { ok: true; flow: Flow; resolved: ResolvedFlow } | { ok: false; issues: ValidationIssue[] };

export interface ValidateOptions {
  /** Directories file processors may use; empty = unrestricted. */
  allowedDirs?: readonly string[];
  /** The server requires a token: listeners may bind beyond loopback. Default false. */
  authenticated?: boolean;
}

/**
 * Validates a flow in three layers (after a nesting-depth check), each naming JSON paths: the flow schema, each processor's config
 * schema (and its own checks), then the graph. On success returns the flow as given and a resolved copy
 * with every default applied (what the engine runs).
 */
export function validateFlow(input: unknown, registry: ProcessorRegistry, options: ValidateOptions = {}): FlowCheck {
  // First, and without recursion: ajv and structuredClone would overflow the stack on a very deep document.
  const deep = checkNesting(input);
  if (deep) return { ok: false, issues: [deep] };
  if (!validateShape(input)) return { ok: false, issues: toIssues(validateShape.errors) };
  const flow = input as Flow;
  const resolved = structuredClone(flow) as unknown as ResolvedFlow;
  applyFlowDefaults(resolved);

  const issues: ValidationIssue[] = [];
  const processorIds = new Map<string, number>();
  const relationships = new Map<string, Set<string>>();

  resolved.processors.forEach((p, i) => {
    if (processorIds.has(p.id))
      issues.push({ path: `/processors/${i}/id`, message: `duplicate processor id "${p.id}"` });
    processorIds.set(p.id, i);
    const definition = registry.get(p.type);
    if (!definition) {
      issues.push({
        path: `/processors/${i}/type`,
        message: `unknown processor type "${p.type}"; known types: ${registry.types().join(', ')}`,
      });
      return;
    }
    const checked = registry.checkConfig(
      p.type,
      p.config,
      `/processors/${i}/config`,
      options.allowedDirs ?? [],
      options.authenticated ?? false,
    );
    issues.push(...checked.issues);
    p.config = checked.config;
    if (checked.issues.length === 0)
      relationships.set(p.id, new Set(relationshipsOf(definition, checked.config).map((r) => r.name)));
    const names = relationships.get(p.id);
    p.autoTerminate.forEach((rel, j) => {
      if (names && !names.has(rel))
        issues.push({
          path: `/processors/${i}/autoTerminate/${j}`,
          message: `"${rel}" is not a relationship of processor "${p.id}" (${p.type}); expected one of: ${[...names].join(', ')}`,
        });
    });
  });

  const connectionIds = new Set<string>();
  const connected = new Map<string, Set<string>>();
  resolved.connections.forEach((c, i) => {
    if (connectionIds.has(c.id) || processorIds.has(c.id))
      issues.push({ path: `/connections/${i}/id`, message: `duplicate id "${c.id}"` });
    connectionIds.add(c.id);
    for (const end of ['source', 'target'] as const) {
      if (!processorIds.has(c[end]))
        issues.push({ path: `/connections/${i}/${end}`, message: `no processor with id "${c[end]}" in this flow` });
    }
    const target = resolved.processors[processorIds.get(c.target) ?? -1];
    if (target && registry.get(target.type)?.input === 'forbidden')
      issues.push({
        path: `/connections/${i}/target`,
        message: `processor "${target.id}" (${target.type}) is a source and accepts no incoming connection`,
      });
    const names = relationships.get(c.source);
    const source = resolved.processors[processorIds.get(c.source) ?? -1];
    c.relationships.forEach((rel, j) => {
      if (names && !names.has(rel))
        issues.push({
          path: `/connections/${i}/relationships/${j}`,
          message: `"${rel}" is not a relationship of processor "${c.source}" (${source?.type}); expected one of: ${[...names].join(', ')}`,
        });
      getOrInsert(connected, c.source, () => new Set<string>()).add(rel);
    });
  });

  resolved.processors.forEach((p, i) => {
    const names = relationships.get(p.id);
    if (!names) return;
    for (const rel of names) {
      if (!connected.get(p.id)?.has(rel) && !p.autoTerminate.includes(rel))
        issues.push({
          path: `/processors/${i}`,
          message: `relationship "${rel}" of processor "${p.id}" is neither connected nor auto-terminated`,
        });
    }
    const definition = registry.get(p.type);
    if (definition?.input === 'required' && !resolved.connections.some((c) => c.target === p.id))
      issues.push({
        path: `/processors/${i}`,
        message: `processor "${p.id}" (${p.type}) needs an incoming connection`,
      });
  });

  return issues.length > 0 ? { ok: false, issues } : { ok: true, flow, resolved };
}
