/**
 * Connection settings of the messaging processors: any string setting may reference environment variables
 * as `${NAME}` (or `${NAME:-default}`), resolved when the processor starts; secrets (passwords, SASL
 * credentials, passwords inside URLs) must be references, never plain text in the flow JSON: a sensitive
 * parameter (`#{rabbit.password}`, see docs/parameters.md) or an environment variable (`${NAME}`).
 */
import {
  type ConfigIssue,
  refusedEnvironmentVariable,
  type ServiceKind,
  type ServiceReference,
  type SetupContext,
  secret,
} from '../sdk';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
/**
 * A secret is exactly one reference, without a default (a default would be a plain-text secret): to a sensitive
 * parameter, or to an environment variable.
 */
const SECRET_REFERENCE = /^(?:\$\{[A-Za-z_][A-Za-z0-9_]*\}|#\{[A-Za-z0-9._ -]{1,255}\})$/;

/**
 * JSON Schema of a secret setting: empty, or one reference (`"x-sensitive": true`: the validator accepts nothing
 * else, see server/parameters/sensitive-properties.ts). The SDK's `secret`.
 */
export const secretProperty = secret;

/** Replaces every `${NAME}` / `${NAME:-default}` in a setting (the SDK's `resolveSetting`). */
export { resolveSetting } from '../sdk';

/** A URL whose user-info carries a plain-text password (`amqp://user:secret@host`) is a config issue. */
export function checkUrlCredentials(path: string, url: string): ConfigIssue[] {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^@/]*)@/i.exec(url);
  if (!match) return [];
  const userInfo = match[1]!;
  const colon = colonOutsideReferences(userInfo);
  if (colon < 0) return [];
  const password = userInfo.slice(colon + 1);
  if (password === '' || SECRET_REFERENCE.test(password)) return [];
  return [
    {
      path,
      message: `the URL carries a plain-text password: reference a sensitive parameter (e.g. amqp://user:#{rabbit.password}@host) or an environment variable (amqp://user:\${RABBITMQ_PASSWORD}@host), or use the password setting`,
    },
  ];
}

/** References in a setting that are malformed, e.g. `${}` or `${1X}`: a typo caught at validation. */
export function checkReferences(path: string, value: string): ConfigIssue[] {
  const refused = [...value.matchAll(REFERENCE)].map((m) => refusedEnvironmentVariable(m[1]!)).filter(Boolean);
  if (refused.length > 0) return [{ path, message: refused[0]! }];
  const stripped = value.replace(REFERENCE, '');
  if (!stripped.includes(`\${`)) return [];
  return [
    {
      path,
      message: `malformed environment reference: write \${NAME} or \${NAME:-default} (NAME = letters, digits, _)`,
    },
  ];
}

function colonOutsideReferences(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith(`\${`, i) || text.startsWith('#{', i)) depth++;
    else if (text[i] === '}' && depth > 0) depth--;
    else if (text[i] === ':' && depth === 0) return i;
  }
  return -1;
}

/**
 * The checks every broker connection with a URL, a user name and a password needs (the password itself is
 * `"x-sensitive"`: the validator checks it is a reference).
 */
export function checkUrlAndLogin(config: { url: string; username: string; password: string }): ConfigIssue[] {
  return [
    ...checkReferences('/url', config.url),
    ...checkUrlCredentials('/url', config.url),
    ...checkReferences('/username', config.username),
  ];
}

/**
 * A processor whose `connection` references a connection service takes every connection setting from the
 * service: its own inline settings must then be absent. The config reaching `validate` has its defaults
 * applied, so "absent" means "equal to the schema's default"; anything else is an issue at the property.
 */
export function checkInlineSettingsAbsent(
  config: { connection?: { service: string } } & Record<string, unknown>,
  properties: Readonly<Record<string, { default?: unknown }>>,
): ConfigIssue[] {
  if (config.connection === undefined) return [];
  const issues: ConfigIssue[] = [];
  for (const [name, schema] of Object.entries(properties)) {
    if (!(name in config) || JSON.stringify(config[name]) === JSON.stringify(schema.default)) continue;
    issues.push({
      path: `/${name}`,
      message: `remove it: "connection" references service "${config.connection.service}", which holds the connection settings`,
    });
  }
  return issues;
}

/** The enabled service a processor's `connection` references (the engine enables it before the processor starts). */
export function sharedConnection<I>(ctx: SetupContext, reference: ServiceReference, kind: ServiceKind): I {
  return ctx.services.get<I>(reference, kind);
}
