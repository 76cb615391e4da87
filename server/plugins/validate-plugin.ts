/**
 * The checks a plugin's processor and service definitions must pass before they are registered: the contract
 * processors/registry.test.ts holds built-ins to (strict ajv compile, closed object config, every property
 * described, relationships well formed), and no type name clashing with one already known.
 */
import type { ProcessorDefinition } from '../engine/contract';
import type { ServiceDefinition } from '../services/service-contract';
import { createAjv } from '../validation/ajv';

const CATEGORIES = ['source', 'transform', 'route', 'sink', 'messaging', 'stream'];
const INPUTS = ['required', 'forbidden', 'allowed'];
const TYPE_NAME = /^[A-Z][A-Za-z0-9]+$/;
const RELATIONSHIP_NAME = /^[a-z][a-z_ -]*$/;

export function isProcessorDefinition(value: unknown): value is ProcessorDefinition {
  return (
    typeof value === 'object' && value !== null && typeof (value as { onTrigger?: unknown }).onTrigger === 'function'
  );
}

export function isServiceDefinition(value: unknown): value is ServiceDefinition {
  return typeof value === 'object' && value !== null && Array.isArray((value as { provides?: unknown }).provides);
}

/** Problems with a config schema: strict compile, a closed object, every property described. */
function configProblems(config: unknown): string[] {
  if (typeof config !== 'object' || config === null) return ['config must be a JSON Schema object'];
  const schema = config as { type?: unknown; properties?: Record<string, { description?: unknown }> };
  if (schema.type !== 'object') return ['config must be a schema of "type": "object"'];
  try {
    createAjv().compile(schema);
  } catch (err) {
    return [`config schema does not compile (strict ajv): ${(err as Error).message}`];
  }
  const problems: string[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {}))
    if (typeof property?.description !== 'string' || property.description.trim() === '')
      problems.push(`config property "${name}" has no description`);
  return problems;
}

/** What is wrong with a processor definition; [] when it may be registered. `taken`: type names already in use. */
export function processorProblems(def: ProcessorDefinition, taken: ReadonlySet<string>): string[] {
  const type = String(def.type);
  if (typeof def.type !== 'string' || !TYPE_NAME.test(def.type))
    return [`processor type "${type}" must be a PascalCase name`];
  const problems: string[] = [];
  const at = (p: string) => `processor ${type}: ${p}`;
  if (taken.has(def.type)) problems.push(at('the type name is already taken (a built-in or another plugin)'));
  if (typeof def.description !== 'string' || def.description.trim() === '') problems.push(at('no description'));
  if (!CATEGORIES.includes(def.category)) problems.push(at(`category must be one of ${CATEGORIES.join(', ')}`));
  if (!INPUTS.includes(def.input)) problems.push(at(`input must be one of ${INPUTS.join(', ')}`));
  problems.push(...configProblems(def.config).map(at));
  if (!Array.isArray(def.relationships)) problems.push(at('relationships must be an array'));
  else {
    const names = new Set<string>();
    for (const r of def.relationships) {
      if (typeof r?.name !== 'string' || !RELATIONSHIP_NAME.test(r.name))
        problems.push(at(`relationship "${r?.name}" must be a lower-case name`));
      else if (names.has(r.name)) problems.push(at(`relationship "${r.name}" is declared twice`));
      else names.add(r.name);
      if (typeof r?.description !== 'string' || r.description.trim() === '')
        problems.push(at(`relationship "${r?.name}" has no description`));
    }
    if (def.relationships.length === 0 && !def.dynamicRelationships) problems.push(at('no relationships'));
  }
  return problems;
}

export function serviceProblems(def: ServiceDefinition, taken: ReadonlySet<string>): string[] {
  const type = String(def.type);
  if (typeof def.type !== 'string' || !TYPE_NAME.test(def.type))
    return [`service type "${type}" must be a PascalCase name`];
  const at = (p: string) => `service ${type}: ${p}`;
  const problems: string[] = [];
  if (taken.has(def.type)) problems.push(at('the type name is already taken (a built-in or another plugin)'));
  if (typeof def.description !== 'string' || def.description.trim() === '') problems.push(at('no description'));
  if (def.provides.length === 0 || !def.provides.every((k) => typeof k === 'string'))
    problems.push(at('provides must list at least one kind'));
  if (typeof def.enable !== 'function') problems.push(at('enable must be a function'));
  problems.push(...configProblems(def.config).map(at));
  return problems;
}
