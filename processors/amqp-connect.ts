/** The connection settings ConsumeAMQP and PublishAMQP share, and how they connect with them. */
import amqp, { type ChannelModel } from 'amqplib';
import type { ConfigIssue } from '../sdk';
import { checkUrlAndLogin, resolveSetting, secretProperty } from './connection-settings';

export const amqpConnectionProperties = {
  url: {
    type: 'string',
    minLength: 1,
    default: 'amqp://localhost:5672',
    description: `Broker URL, amqp:// or amqps://, the virtual host as its path (amqp://host:5672/vhost). \${NAME} and \${NAME:-default} are read from the environment at start.`,
  },
  username: {
    type: 'string',
    default: '',
    description: `User name, overriding the URL's (empty = the URL's, else guest); \${NAME} references allowed.`,
  },
  password: secretProperty("Password, overriding the URL's."),
  heartbeatSeconds: {
    type: 'integer',
    minimum: 0,
    maximum: 3600,
    default: 30,
    description: 'AMQP heartbeat interval in seconds; a dead connection is noticed after about two (0 = off).',
  },
} as const;

export interface AmqpConnectionConfig {
  url: string;
  username: string;
  password: string;
  heartbeatSeconds: number;
}

export function checkAmqpConnection(config: AmqpConnectionConfig): ConfigIssue[] {
  return [...checkUrlAndLogin(config)];
}

/** The broker address without credentials, for errors, logs and provenance transit URIs. */
export function redactedUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === '' ? '/' : url.pathname}`;
}

export function resolveAmqpUrl(config: AmqpConnectionConfig): URL {
  const text = resolveSetting(config.url, 'url');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"url" is not a URL after resolving environment references: ${text.replace(/\/\/[^@/]*@/, '//')}`);
  }
  if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:')
    throw new Error(`"url" must start with amqp:// or amqps://, not ${url.protocol}//`);
  const username = resolveSetting(config.username, 'username');
  const password = resolveSetting(config.password, 'password');
  if (username !== '') url.username = encodeURIComponent(username);
  if (password !== '') url.password = encodeURIComponent(password);
  url.searchParams.set('heartbeat', String(config.heartbeatSeconds));
  return url;
}

/** Connects once; the error names the broker (never its password). */
export async function connectAmqp(url: URL, connectionName: string): Promise<ChannelModel> {
  try {
    return await amqp.connect(url.toString(), {
      timeout: 10_000,
      clientProperties: { connection_name: connectionName },
    });
  } catch (err) {
    throw new Error(`cannot connect to ${redactedUrl(url)}: ${(err as Error).message}`);
  }
}

/** The virtual host a URL names ("/" when its path is empty). */
export function vhostOf(url: URL): string {
  return url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : '/';
}
