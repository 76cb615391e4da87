/**
 * Pure edits of a flow's parameter contexts and bindings (what the Parameters panel commits through the store),
 * and the scrubbing of sensitive values: once the server holds a value, the document keeps only `set: true`.
 */
import type { GroupSpec, ParameterContextSpec, ParameterSpec } from '../../../flows/flow-schema';
import type { Flow } from '../api/types';
import { levelAt, withLevel } from '../flow-mapping';

const contexts = (flow: Flow): ParameterContextSpec[] => flow.parameterContexts ?? [];

function withContexts(flow: Flow, list: ParameterContextSpec[]): Flow {
  const out: Flow = { ...flow, parameterContexts: list };
  if (list.length === 0) delete out.parameterContexts;
  // Contexts are a schemaVersion 2 feature.
  if (list.length > 0 && out.schemaVersion !== 2) out.schemaVersion = 2;
  return out;
}

/** Applies `fn` to the flow and to every group, depth first (for bindings). */
function mapLevels(flow: Flow, fn: <L extends Flow | GroupSpec>(level: L) => L): Flow {
  const visit = (g: GroupSpec): GroupSpec => {
    const out = fn(g);
    return out.groups ? { ...out, groups: out.groups.map(visit) } : out;
  };
  const top = fn(flow);
  return top.groups ? { ...top, groups: top.groups.map(visit) } : top;
}

export function addContext(flow: Flow, id: string, name?: string): Flow {
  if (contexts(flow).some((c) => c.id === id)) return flow;
  const context: ParameterContextSpec = { id, parameters: [] };
  if (name) context.name = name;
  return withContexts(flow, [...contexts(flow), context]);
}

export function updateContext(flow: Flow, id: string, update: (c: ParameterContextSpec) => ParameterContextSpec): Flow {
  return withContexts(
    flow,
    contexts(flow).map((c) => (c.id === id ? update(c) : c)),
  );
}

/** Removes context `id`, and every `inherits` entry and binding that names it (so the flow stays valid). */
export function removeContext(flow: Flow, id: string): Flow {
  const kept = contexts(flow)
    .filter((c) => c.id !== id)
    .map((c) => (c.inherits?.includes(id) ? { ...c, inherits: c.inherits.filter((x) => x !== id) } : c));
  return mapLevels(withContexts(flow, kept), (level) => {
    if (level.parameterContext !== id) return level;
    const { parameterContext: _gone, ...rest } = level;
    return rest as typeof level;
  });
}

/** Renames context `from` to `to`, in `inherits` entries and bindings too. */
export function renameContext(flow: Flow, from: string, to: string): Flow {
  if (from === to || contexts(flow).some((c) => c.id === to)) return flow;
  const renamed = contexts(flow).map((c) => ({
    ...c,
    ...(c.id === from && { id: to }),
    ...(c.inherits?.includes(from) && { inherits: c.inherits.map((x) => (x === from ? to : x)) }),
  }));
  return mapLevels(withContexts(flow, renamed), (level) =>
    level.parameterContext === from ? { ...level, parameterContext: to } : level,
  );
}

/** Binds context `id` at level `path` ([] = the flow); undefined removes the binding (a group inherits). */
export function setBinding(flow: Flow, path: readonly string[], id: string | undefined): Flow {
  const level = levelAt(flow, path) as (Flow | GroupSpec) | undefined;
  if (!level) return flow;
  const next = { ...level, parameterContext: id };
  if (id === undefined) delete next.parameterContext;
  return withLevel(flow, path, next);
}

export function addParameter(flow: Flow, contextId: string, parameter: ParameterSpec): Flow {
  return updateContext(flow, contextId, (c) =>
    (c.parameters ?? []).some((p) => p.name === parameter.name)
      ? c
      : { ...c, parameters: [...(c.parameters ?? []), parameter] },
  );
}

export function updateParameter(
  flow: Flow,
  contextId: string,
  name: string,
  update: (p: ParameterSpec) => ParameterSpec,
): Flow {
  return updateContext(flow, contextId, (c) => ({
    ...c,
    parameters: (c.parameters ?? []).map((p) => (p.name === name ? update(p) : p)),
  }));
}

export function removeParameter(flow: Flow, contextId: string, name: string): Flow {
  return updateContext(flow, contextId, (c) => ({
    ...c,
    parameters: (c.parameters ?? []).filter((p) => p.name !== name),
  }));
}

/** Turns a parameter sensitive or plain. Either way its value is dropped: a plain value must not become a secret
 * that was once shown, and a secret's value is not known to the UI. */
export function setSensitive(flow: Flow, contextId: string, name: string, sensitive: boolean): Flow {
  return updateParameter(flow, contextId, name, (p) => {
    const { value: _value, set: _set, sensitive: _old, ...rest } = p;
    return sensitive ? { ...rest, sensitive: true, value: null } : rest;
  });
}

/** A new secret for a sensitive parameter (null clears it). Sent with the next save, then scrubbed. */
export function setSensitiveValue(flow: Flow, contextId: string, name: string, value: string | null): Flow {
  return updateParameter(flow, contextId, name, (p) => {
    const { set: _set, ...rest } = p;
    return { ...rest, value };
  });
}

/** True when the document carries a value of a sensitive parameter (to be sent, then scrubbed). */
export function holdsSensitiveValues(flow: Flow | null | undefined): boolean {
  return contexts(flow ?? ({} as Flow)).some((c) =>
    (c.parameters ?? []).some((p) => p.sensitive === true && p.value !== undefined),
  );
}

/**
 * The document as the server now holds it: each sensitive parameter without its value, `set` saying whether it
 * has one. Returns the same object when there is nothing to scrub.
 */
export function scrubSensitive(flow: Flow): Flow {
  if (!holdsSensitiveValues(flow)) return flow;
  return withContexts(
    flow,
    contexts(flow).map((c) => ({
      ...c,
      parameters: (c.parameters ?? []).map((p) => {
        if (p.sensitive !== true || p.value === undefined) return p;
        const { value, ...rest } = p;
        return { ...rest, set: typeof value === 'string' };
      }),
    })),
  );
}

/** Where a "sensitive parameter … has no value" issue points: the context and the parameter's name. */
export function missingSensitiveValues(
  flow: Flow,
  issues: readonly { path: string; message: string }[],
): { context: string; name: string }[] {
  const out: { context: string; name: string }[] = [];
  for (const issue of issues) {
    const at = /^\/parameterContexts\/(\d+)\/parameters\/(\d+)\/value$/.exec(issue.path);
    if (!at || !/sensitive parameter .* has no value/.test(issue.message)) continue;
    const context = contexts(flow)[Number(at[1])];
    const parameter = context?.parameters?.[Number(at[2])];
    if (context && parameter) out.push({ context: context.id, name: parameter.name });
  }
  return out;
}
