import type { ValidateFunction } from 'ajv';
import { hasSensitiveProperty, sensitivePropertyIssues } from '../parameters/sensitive-properties';
import { ServiceRegistry } from '../services/service-registry';
import { createAjv, toIssues, type ValidationIssue } from '../validation/ajv';
import { parseConfigFormats } from './config-formats';
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
    // x-format values (durations, sizes, regexes, expressions) are checked and parsed here (config-formats.ts),
    // and reported with the schema's issues; the processor's own checks see the parsed config.
    const valid = validate(copy); // applies the defaults
    const formats = parseConfigFormats(definition.config, copy);
    if (!valid) {
      const issues = toIssues(validate.errors, prefix);
      const reported = new Set(issues.map((i) => i.path));
      for (const i of formats.issues)
        if (!reported.has(`${prefix}${i.path}`)) issues.push({ path: `${prefix}${i.path}`, message: i.message });
      return { issues, config: copy };
    }
    const secrets = this.withSecrets.has(type) ? sensitivePropertyIssues(definition.config, copy) : [];
    const own = [
      ...secrets,
      ...((formats.parsed && definition.validate?.(formats.config, { allowedDirs, authenticated })) || []),
    ];
    // Where the processor's own checks said something, theirs is the more specific message.
    const seen = new Set(own.map((i) => i.path));
    own.push(...formats.issues.filter((i) => !seen.has(i.path)));
    return { issues: own.map((i) => ({ path: `${prefix}${i.path}`, message: i.message })), config: copy };
  }
}
