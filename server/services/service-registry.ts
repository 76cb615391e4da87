import type { ValidateFunction } from 'ajv';
import { hasSensitiveProperty, sensitivePropertyIssues } from '../parameters/sensitive-properties';
import { createAjv, toIssues, type ValidationIssue } from '../validation/ajv';
import type { ServiceDefinition, ServiceKind } from './service-contract';

/**
 * The controller service types a flow may use, with their config schemas compiled once (as the processor
 * registry does for processors; the product's strict ajv, `x-service` and `x-sensitive` known to it).
 */
export class ServiceRegistry {
  private readonly definitions = new Map<string, ServiceDefinition>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = createAjv({ useDefaults: true });
  private readonly withSecrets = new Set<string>();

  constructor(definitions: readonly ServiceDefinition[] = []) {
    for (const d of definitions) this.register(d);
  }

  register(definition: ServiceDefinition): void {
    if (this.definitions.has(definition.type)) throw new Error(`service type ${definition.type} is registered twice`);
    if (definition.provides.length === 0) throw new Error(`service type ${definition.type} provides nothing`);
    this.definitions.set(definition.type, definition);
    this.validators.set(definition.type, this.ajv.compile(definition.config));
    if (hasSensitiveProperty(definition.config)) this.withSecrets.add(definition.type);
  }

  get(type: string): ServiceDefinition | undefined {
    return this.definitions.get(type);
  }

  list(): ServiceDefinition[] {
    return [...this.definitions.values()];
  }

  types(): string[] {
    return [...this.definitions.keys()];
  }

  /** The types that provide `kind`. */
  providers(kind: ServiceKind): string[] {
    return this.list()
      .filter((d) => d.provides.includes(kind))
      .map((d) => d.type);
  }

  /**
   * Validates a config (schema, sensitive properties, then the service's own checks) and returns it with
   * defaults applied; paths prefixed with `prefix`, e.g. "/services/0/config". The same shape as
   * ProcessorRegistry.checkConfig, so server/parameters/check-config.ts resolves references for both.
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
      return { issues: [{ path: prefix, message: `unknown service type "${type}"` }], config: {} };
    const copy = structuredClone(config ?? {}) as Record<string, unknown>;
    if (!validate(copy)) return { issues: toIssues(validate.errors, prefix), config: copy };
    const secrets = this.withSecrets.has(type) ? sensitivePropertyIssues(definition.config, copy) : [];
    const own = [...secrets, ...(definition.validate?.(copy, { allowedDirs, authenticated }) ?? [])];
    return { issues: own.map((i) => ({ path: `${prefix}${i.path}`, message: i.message })), config: copy };
  }
}
