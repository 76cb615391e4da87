/**
 * Connection settings of the messaging processors: any string setting may reference environment variables
 * as `${NAME}` (or `${NAME:-default}`), resolved when the processor starts; secrets (passwords, SASL
 * credentials, passwords inside URLs) must be references, never plain text in the flow JSON.
 */
import type { ConfigIssue } from '../server/engine/contract';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
/** A secret is exactly one reference, without a default (a default would be a plain-text secret). */
const SECRET_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/** JSON Schema of a secret setting: empty, or one `${NAME}` reference. */
export function secretProperty(description: string) {
  return {
    type: 'string',
    default: '',
    description: `${description} Write a reference to an environment variable, e.g. \${BROKER_PASSWORD}; plain text is rejected.`,
  } as const;
}

/** Replaces every `${NAME}` / `${NAME:-default}` in a setting; a variable that is not set (and has no default) throws. */
export function resolveSetting(value: string, setting: string, env: NodeJS.ProcessEnv = process.env): string {
  return value.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    throw new Error(`environment variable ${name} is not set (referenced by "${setting}")`);
  });
}

/** A secret given as plain text rather than as `${NAME}` is a config issue. */
export function checkSecret(path: string, value: string): ConfigIssue[] {
  if (value === '' || SECRET_REFERENCE.test(value)) return [];
  return [
    {
      path,
      message: `a secret must not be written in the flow: put it in an environment variable and write \${NAME} here (e.g. \${BROKER_PASSWORD}), without a default`,
    },
  ];
}

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
      message: `the URL carries a plain-text password: write it as \${NAME} (e.g. amqp://user:\${RABBITMQ_PASSWORD}@host) or use the password setting`,
    },
  ];
}

/** References in a setting that are malformed, e.g. `${}` or `${1X}`: a typo caught at validation. */
export function checkReferences(path: string, value: string): ConfigIssue[] {
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
    if (text.startsWith(`\${`, i)) depth++;
    else if (text[i] === '}' && depth > 0) depth--;
    else if (text[i] === ':' && depth === 0) return i;
  }
  return -1;
}

/** The checks every broker connection with a URL, a user name and a password needs. */
export function checkUrlAndLogin(config: { url: string; username: string; password: string }): ConfigIssue[] {
  return [
    ...checkReferences('/url', config.url),
    ...checkUrlCredentials('/url', config.url),
    ...checkReferences('/username', config.username),
    ...checkSecret('/password', config.password),
  ];
}
