/**
 * A processor's config checked with its references resolved: parameters and environment variables are replaced
 * first (see resolve-references.ts), then the processor's schema and own checks run on the result, so a numeric
 * property may be `#{batch}`. The checks see sensitive references as written; the config returned (what the
 * engine runs) has them replaced too.
 */
import type { ProcessorRegistry } from '../engine/processor-registry';
import type { ValidationIssue } from '../validation/ajv';
import type { Binding } from './parameter-scope';
import { applyPatches, resolveConfig } from './resolve-references';
import { refusedEnvironmentVariable } from './server-env';

export interface ConfigCheckOptions {
  allowedDirs?: readonly string[];
  authenticated?: boolean;
  /** Where `${env:NAME}` reads from (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ConfigCheck {
  issues: ValidationIssue[];
  /** Defaults applied, every reference replaced: what runs. */
  config: Record<string, unknown>;
  /** The parameters the config references. */
  parameters: string[];
}

/** What checks a component's config: the processor registry, or the service registry for services. */
export type ConfigChecker = Pick<ProcessorRegistry, 'checkConfig'> & {
  get(type: string): { config: object } | undefined;
};

export function checkProcessorConfig(
  registry: ConfigChecker,
  type: string,
  config: unknown,
  prefix: string,
  binding: Binding | undefined,
  options: ConfigCheckOptions = {},
): ConfigCheck {
  const schema = registry.get(type)?.config;
  const resolved = resolveConfig(
    config ?? {},
    schema,
    {
      parameters: binding,
      env: options.env ?? process.env,
      refuseEnv: refusedEnvironmentVariable,
    },
    prefix,
  );
  const checked = registry.checkConfig(
    type,
    resolved.shown,
    prefix,
    options.allowedDirs ?? [],
    options.authenticated ?? false,
  );
  // Where a reference failed, what the schema says about the unresolved text repeats it: keep the reason.
  const failed = resolved.issues.map((i) => i.path);
  const issues = [
    ...resolved.issues,
    ...checked.issues.filter((i) => !failed.some((f) => i.path === f || i.path.startsWith(`${f}/`))),
  ];
  return { issues, config: applyPatches(checked.config, resolved.patches), parameters: resolved.parameters };
}
