/**
 * Parameter contexts of a flow and which one each group sees.
 *
 * - The flow and any group may bind a context (`"parameterContext": "<id>"`). A group without its own binding
 *   uses its parent's (unlike NiFi, where each group is bound explicitly: a parameter reaches every group
 *   below the one that binds it, as scopes do in Node-RED).
 * - A context offers its own parameters, then those of the contexts it `inherits`, in the order listed: the
 *   first that has the name wins, recursively (what an inherited context inherits comes before the next entry).
 * - Overrides (`--parameters FILE`) replace the value of every parameter of that name, in every context.
 *
 * Works on a document that may not match the flow schema (malformed parts are skipped), so the partial checks
 * of an invalid flow can use it too; issues name JSON paths.
 */
import type { ValidationIssue } from '../validation/ajv';
import type { ParameterHit, ParameterLookup } from './resolve-references';

export interface ParameterEntry extends ParameterHit {
  name: string;
  /** JSON pointer of the parameter. */
  path: string;
}

export interface Binding extends ParameterLookup {
  contextId: string;
  /** JSON pointer of the `parameterContext` that binds it. */
  boundAt: string;
}

export interface ParameterScope {
  /** The binding in force in the group at `scopePath` ("" = the flow, "/groups/0/groups/1" = a group). */
  binding(scopePath: string): Binding | undefined;
  /** Duplicate ids and names, unknown or cyclic `inherits`, unknown bindings, sensitive parameters without value. */
  issues: ValidationIssue[];
  /** Values of the sensitive parameters (overrides included): what messages and logs must never show. */
  secrets: string[];
  /** Every parameter name a context declares. */
  declared: Set<string>;
}

interface Context {
  id: string;
  path: string;
  own: Map<string, ParameterEntry>;
  inherits: { id: string; path: string }[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function buildParameterScope(flow: unknown, overrides: Readonly<Record<string, string>> = {}): ParameterScope {
  const issues: ValidationIssue[] = [];
  const secrets: string[] = [];
  const declared = new Set<string>();
  const contexts = new Map<string, Context>();
  const root = isObject(flow) ? flow : {};
  const list = Array.isArray(root.parameterContexts) ? root.parameterContexts : [];

  list.forEach((raw: unknown, i) => {
    if (!isObject(raw) || typeof raw.id !== 'string') return;
    const id = raw.id;
    const path = `/parameterContexts/${i}`;
    if (contexts.has(id)) {
      issues.push({ path: `${path}/id`, message: `duplicate parameter context id "${id}"` });
      return;
    }
    const context: Context = { id, path, own: new Map(), inherits: [] };
    contexts.set(id, context);
    if (Array.isArray(raw.inherits))
      raw.inherits.forEach((id: unknown, k) => {
        if (typeof id === 'string') context.inherits.push({ id, path: `${path}/inherits/${k}` });
      });
    const parameters = Array.isArray(raw.parameters) ? raw.parameters : [];
    parameters.forEach((p: unknown, j) => {
      if (!isObject(p) || typeof p.name !== 'string') return;
      const at = `${path}/parameters/${j}`;
      if (context.own.has(p.name)) {
        issues.push({ path: `${at}/name`, message: `duplicate parameter "${p.name}" in context "${id}"` });
        return;
      }
      declared.add(p.name);
      const sensitive = p.sensitive === true;
      const value = Object.hasOwn(overrides, p.name)
        ? overrides[p.name]
        : typeof p.value === 'string'
          ? p.value
          : undefined;
      if (sensitive && value === undefined)
        issues.push({
          path: `${at}/value`,
          message: `sensitive parameter "${p.name}" of context "${id}" has no value`,
        });
      if (sensitive && value) secrets.push(value);
      context.own.set(p.name, { name: p.name, value, sensitive, context: id, path: at });
    });
  });

  // Effective parameters of each context: its own, then what each inherited one offers, in order. An edge that
  // closes a cycle is reported and skipped; results are kept only where no cycle was met (they depend on the
  // context the walk started from otherwise), so a context still sees what it inherits through the others.
  const effective = new Map<string, Map<string, ParameterEntry>>();
  const reported = new Set<string>();
  const report = (path: string, message: string) => {
    if (!reported.has(path)) issues.push({ path, message });
    reported.add(path);
  };
  const known = () =>
    contexts.size > 0 ? `; the flow defines: ${[...contexts.keys()].join(', ')}` : '; the flow defines none';
  const resolve = (
    context: Context,
    open: Set<string>,
  ): { parameters: Map<string, ParameterEntry>; cyclic: boolean } => {
    const done = effective.get(context.id);
    if (done) return { parameters: done, cyclic: false };
    open.add(context.id);
    const result = new Map(context.own);
    let cyclic = false;
    for (const parent of context.inherits) {
      const target = contexts.get(parent.id);
      if (!target) {
        report(parent.path, `no parameter context "${parent.id}"${known()}`);
        continue;
      }
      if (open.has(parent.id)) {
        report(
          parent.path,
          `context "${context.id}" inheriting "${parent.id}" makes a cycle: a context cannot inherit itself, directly or through others`,
        );
        cyclic = true;
        continue;
      }
      const inherited = resolve(target, open);
      cyclic ||= inherited.cyclic;
      for (const [name, entry] of inherited.parameters) if (!result.has(name)) result.set(name, entry);
    }
    open.delete(context.id);
    if (!cyclic) effective.set(context.id, result);
    return { parameters: result, cyclic };
  };
  const parametersOf = new Map<string, Map<string, ParameterEntry>>();
  for (const context of contexts.values()) parametersOf.set(context.id, resolve(context, new Set()).parameters);

  // The binding of the flow and of every group (a group without one inherits its parent's).
  const bindings = new Map<string, Binding | undefined>();
  const bind = (scope: Record<string, unknown>, path: string, inherited: Binding | undefined, depth: number) => {
    let binding = inherited;
    if (typeof scope.parameterContext === 'string') {
      const id = scope.parameterContext;
      const boundAt = `${path}/parameterContext`;
      const context = contexts.get(id);
      if (!context) {
        issues.push({ path: boundAt, message: `no parameter context "${id}"${known()}` });
        binding = {
          contextId: id,
          boundAt,
          get: () => undefined,
          missing: (name) =>
            `parameter "${name}" cannot be resolved: no parameter context "${id}" (bound at ${boundAt})`,
        };
      } else binding = lookup(context, parametersOf.get(id)!, boundAt);
    }
    bindings.set(path, binding);
    if (depth > 64 || !Array.isArray(scope.groups)) return;
    scope.groups.forEach((g: unknown, i) => {
      if (isObject(g)) bind(g, `${path}/groups/${i}`, binding, depth + 1);
    });
  };
  bind(root, '', undefined, 0);

  return {
    binding: (scopePath) => bindings.get(scopePath),
    issues,
    secrets,
    declared,
  };
}

function lookup(context: Context, parameters: Map<string, ParameterEntry>, boundAt: string): Binding {
  return {
    contextId: context.id,
    boundAt,
    get: (name) => parameters.get(name),
    missing: (name) => {
      const inherited = context.inherits.length > 0 ? ' or the contexts it inherits' : '';
      return `parameter "${name}" is not defined in context "${context.id}"${inherited} (bound at ${boundAt || '/'})`;
    },
  };
}

/** Override names that no context of the flow declares (a warning: the override changes nothing there). */
export function undeclaredOverrides(scope: ParameterScope, overrides: Readonly<Record<string, string>>): string[] {
  return Object.keys(overrides).filter((name) => !scope.declared.has(name));
}
