import { refusedEnvironmentVariable } from '../server/parameters/server-env';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * A sensitive config property: the validator accepts only an empty value or one reference — to a sensitive
 * parameter (`#{broker.password}`) or an environment variable (`${BROKER_PASSWORD}`) — never plain text, and the
 * value is redacted from logs, bulletins and the API. A parameter is resolved before the processor sees the config;
 * an environment variable the processor reads at start: `resolveSetting(config.password, 'password')`.
 */
export function secret(description: string) {
  return {
    type: 'string',
    default: '',
    'x-sensitive': true,
    description: `${description} Write a reference to a sensitive parameter, e.g. #{broker.password}, or to an environment variable, e.g. \${BROKER_PASSWORD}; plain text is rejected.`,
  } as const;
}

/**
 * Replaces every `${NAME}` / `${NAME:-default}` in a setting; a variable that is not set (and has no default)
 * throws, and so does one holding the server's own secrets.
 */
export function resolveSetting(value: string, setting: string, env: NodeJS.ProcessEnv = process.env): string {
  return value.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
    const refused = refusedEnvironmentVariable(name);
    if (refused) throw new Error(`${refused} (referenced by "${setting}")`);
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    throw new Error(`environment variable ${name} is not set (referenced by "${setting}")`);
  });
}
