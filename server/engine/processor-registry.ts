import type { ValidateFunction } from 'ajv';
import { hasSensitiveProperty, sensitivePropertyIssues } from '../parameters/sensitive-properties';
import { ServiceRegistry } from '../services/service-registry';
import { createAjv, toIssues, type ValidationIssue } from '../validation/ajv';
import type { ProcessorDefinition } from './contract';

/** The processor types a flow may use, with their config schemas compiled once. */
export class ProcessorRegistry {
  private readonly definitions = new Map<string, ProcessorDefinition>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = createAjv({ useDefaults: true });
  /** Types whose config schema declares `"x-sensitive": true` properties. */
  private readonly withSecrets = new Set<string>();

  /**
   * @param services The controller service types flows may use: they travel with the processor types wherever
   *   a registry goes (validation, engines, the API, cluster workers).
   */
  constructor(
    definitions: readonly ProcessorDefinition[] = [],
    readonly services: ServiceRegistry = new ServiceRegistry(),
  ) {
    for (const d of definitions) this.register(d);
  }

  register(definition: ProcessorDefinition): void {
    if (this.definitions.has(definition.type)) throw new Error(`processor type ${definition.type} is registered twice`);
    this.definitions.set(definition.type, definition);
    this.validators.set(definition.type, this.ajv.compile(definition.config));
    if (hasSensitiveProperty(definition.config)) this.withSecrets.add(definition.type);
  }

  get(type: string): ProcessorDefinition | undefined {
    return this.definitions.get(type);
  }

  list(): ProcessorDefinition[] {
    return [...this.definitions.values()];
  }

  types(): string[] {
    return [...this.definitions.keys()];
  }

  /**
   * Validates a config (schema, then the processor's own checks) and returns it with defaults applied.
   * Paths are prefixed with `prefix`, e.g. "/processors/2/config". `authenticated`: the server requires a token
   * (listeners may then bind beyond loopback).
   */
  checkConfig(
    type: string,
    config: unknown,
    prefix = '',
    allowedDirs: readonly string[] = [],
    authenticated = false,
  ): { issues: ValidationIssue[]; config: Record<string, unknown> } {
    const definition = this.definitions.get(type);
    const validate = this.validators.get(type);
    if (!definition || !validate)
      return { issues: [{ path: prefix, message: `unknown processor type "${type}"` }], config: {} };
    const copy = structuredClone(config ?? {}) as Record<string, unknown>;
    if (!validate(copy)) return { issues: toIssues(validate.errors, prefix), config: copy };
    const secrets = this.withSecrets.has(type) ? sensitivePropertyIssues(definition.config, copy) : [];
    const own = [...secrets, ...(definition.validate?.(copy, { allowedDirs, authenticated }) ?? [])];
    return { issues: own.map((i) => ({ path: `${prefix}${i.path}`, message: i.message })), config: copy };
  }
}
