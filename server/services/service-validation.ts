/**
 * The services of a flow, validated, and the references to them resolved (the flow validator calls this once
 * every processor's config is checked):
 *
 * - each service's type is known (`/services/N/type`) and its config valid against the type's schema after
 *   parameter substitution (the processors' rules: `x-sensitive` properties take only sensitive references);
 * - every `{"service": id}` at a place a schema marks `"x-service": kind` (in a processor's config or another
 *   service's) names a service of the component's own group or of a group above it, nearest first (NiFi's
 *   scope), whose type provides `kind`; an enabled processor (or enabled service) does not reference a disabled
 *   service; services referencing each other form no cycle;
 * - each service gets a global id like processors (group ids joined by `__`) and each reference is rewritten to
 *   it, so the engine sees `{"service": "<global id>"}`.
 */
import type { ResolvedService } from '../../flows/flow-schema';
import { idPattern } from '../../flows/flow-schema';
import { isInternalType } from '../../processors/internal/pass-through';
import type { ProcessorRegistry } from '../engine/processor-registry';
import { type ConfigCheckOptions, checkProcessorConfig } from '../parameters/check-config';
import type { ParameterScope } from '../parameters/parameter-scope';
import type { ValidationIssue } from '../validation/ajv';
import { globalId, type Scope } from '../validation/flatten-groups';
import type { ServiceDefinition } from './service-contract';
import { serviceReferences } from './service-references';

interface Entry {
  scope: Scope;
  /** JSON pointer of the service in the flow as written. */
  path: string;
  spec: ResolvedService;
  globalId: string;
  definition: ServiceDefinition | undefined;
  /** Defaults applied, parameters substituted, references rewritten: what runs. */
  config: Record<string, unknown>;
  /** Services it references: entry and the JSON pointer of the reference. */
  uses: { entry: Entry; path: string }[];
}

export interface ServiceCheck {
  issues: ValidationIssue[];
  /** Every service under its global id, parents' before their groups', in the order written. */
  services: ResolvedService[];
}

const ID = new RegExp(idPattern);

function label(entry: Entry): string {
  const groups = entry.scope.groups;
  return groups.length > 0 ? `"${entry.spec.id}" of group "${groups.join('/')}"` : `"${entry.spec.id}"`;
}

export function checkServices(
  scopes: readonly Scope[],
  registry: ProcessorRegistry,
  parameters: ParameterScope,
  options: ConfigCheckOptions,
): ServiceCheck {
  const issues: ValidationIssue[] = [];
  const byScope = new Map<Scope, Map<string, Entry>>();
  const entries: Entry[] = [];
  const known = () => registry.services.types().join(', ') || 'none';

  // Each service: its type and config.
  for (const scope of scopes) {
    const here = new Map<string, Entry>();
    byScope.set(scope, here);
    (scope.content.services ?? []).forEach((spec, i) => {
      const path = `${scope.path}/services/${i}`;
      const definition = registry.services.get(spec.type);
      let config = spec.config;
      if (!definition)
        issues.push({ path: `${path}/type`, message: `unknown service type "${spec.type}"; known types: ${known()}` });
      else {
        const checked = checkProcessorConfig(
          registry.services,
          spec.type,
          spec.config,
          `${path}/config`,
          parameters.binding(scope.path),
          options,
        );
        issues.push(...checked.issues);
        config = checked.config;
      }
      const entry: Entry = {
        scope,
        path,
        spec,
        globalId: globalId(scope.groups, spec.id),
        definition,
        config,
        uses: [],
      };
      entries.push(entry);
      if (!here.has(spec.id)) here.set(spec.id, entry); // a duplicate id is reported with the group's ids
    });
  }

  const lookup = (scope: Scope, id: string): Entry | undefined => {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const found = byScope.get(s)?.get(id);
      if (found) return found;
    }
    return undefined;
  };

  /** Resolves the references of one config; returns the entries found (valid kind) with their paths. */
  const resolve = (
    scope: Scope,
    schema: object,
    config: unknown,
    prefix: string,
    disabledMessage: (service: Entry) => string | undefined,
  ): { entry: Entry; path: string }[] => {
    const out: { entry: Entry; path: string }[] = [];
    for (const ref of serviceReferences(schema, config)) {
      const path = `${prefix}${ref.pointer}`;
      const id = ref.reference.service;
      const found = lookup(scope, id);
      if (!found) {
        issues.push({ path, message: `service "${id}" is not defined in this group or above` });
        continue;
      }
      ref.reference.service = found.globalId;
      if (!found.definition) continue; // its unknown type is reported at the service
      if (!found.definition.provides.includes(ref.kind)) {
        issues.push({ path, message: `service "${id}" is a ${found.spec.type}, not a ${ref.kind}` });
        continue;
      }
      const disabled = found.spec.enabled === false ? disabledMessage(found) : undefined;
      if (disabled) issues.push({ path, message: disabled });
      out.push({ entry: found, path });
    }
    return out;
  };

  // Services referencing services.
  for (const entry of entries) {
    if (!entry.definition) continue;
    entry.uses = resolve(entry.scope, entry.definition.config, entry.config, `${entry.path}/config`, (found) =>
      entry.spec.enabled !== false
        ? `service ${label(entry)} references disabled service "${found.spec.id}": enable it or disable this service`
        : undefined,
    );
  }
  issues.push(...cycles(entries));

  // Processors referencing services (their configs are resolved by now).
  for (const scope of scopes)
    (scope.content.processors ?? []).forEach((p, i) => {
      const definition = isInternalType(p.type) ? undefined : registry.get(p.type);
      if (!definition) return;
      resolve(scope, definition.config, p.config, `${scope.path}/processors/${i}/config`, (found) =>
        p.disabled !== true
          ? `processor "${p.id}" references disabled service "${found.spec.id}": enable it or disable the processor`
          : undefined,
      );
    });

  // Global ids: unique among the services, and ids themselves.
  const taken = new Map<string, Entry>();
  for (const entry of entries) {
    const before = taken.get(entry.globalId);
    if (before && before.scope !== entry.scope)
      issues.push({
        path: `${entry.path}/id`,
        message: `service ${label(entry)} becomes "${entry.globalId}" when the groups are flattened, which service ${label(before)} (${before.path}) already is; rename one of them`,
      });
    else if (!before) taken.set(entry.globalId, entry);
    if (!ID.test(entry.globalId))
      issues.push({
        path: `${entry.path}/id`,
        message: `service ${label(entry)} becomes "${entry.globalId}" when the groups are flattened: longer than 64 characters; use shorter ids for it or its groups`,
      });
  }

  const services = entries.map((e) => ({ ...e.spec, id: e.globalId, config: e.config }));
  return { issues, services };
}

/** An issue at the reference closing each cycle of services referencing each other. */
function cycles(entries: readonly Entry[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const state = new Map<Entry, 'open' | 'done'>();
  const trail: Entry[] = [];
  const visit = (entry: Entry, depth: number) => {
    state.set(entry, 'open');
    trail.push(entry);
    for (const use of entry.uses) {
      const seen = state.get(use.entry);
      if (seen === 'open') {
        const loop = [...trail.slice(trail.indexOf(use.entry)), use.entry].map((e) => `"${e.spec.id}"`);
        issues.push({
          path: use.path,
          message: `services reference each other in a cycle (${loop.join(' → ')}): none of them could be enabled first`,
        });
      } else if (seen === undefined && depth < 1000) visit(use.entry, depth + 1);
    }
    trail.pop();
    state.set(entry, 'done');
  };
  for (const entry of entries) if (!state.has(entry)) visit(entry, 0);
  return issues;
}

/**
 * For a document that failed the flow schema: the type and config checks of each well-formed service of a
 * group (references are not resolved: the ids around them may be malformed).
 */
export function partialServiceIssues(
  scope: Scope,
  registry: ProcessorRegistry,
  parameters: ParameterScope,
  options: ConfigCheckOptions,
  malformed: (path: string) => boolean,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  (scope.content.services ?? []).forEach((s, i) => {
    const path = `${scope.path}/services/${i}`;
    if (s.id === '' || malformed(path) || typeof s.type !== 'string') return;
    if (!registry.services.get(s.type)) {
      issues.push({
        path: `${path}/type`,
        message: `unknown service type "${s.type}"; known types: ${registry.services.types().join(', ') || 'none'}`,
      });
      return;
    }
    issues.push(
      ...checkProcessorConfig(
        registry.services,
        s.type,
        s.config,
        `${path}/config`,
        parameters.binding(scope.path),
        options,
      ).issues,
    );
  });
  return issues;
}
