/**
 * NATSConnection: one NATS connection shared by the ConsumeNATS and PublishNATS processors that reference it
 * (core subscriptions and JetStream consumers and publishes all go over it). nats.js reconnects by itself.
 */
import { type ConnectionOptions, connect, type NatsConnection } from 'nats';
import { checkReferences, resolveSetting, secretProperty } from '../../processors/connection-settings';
import { checkNatsUrl, natsProperties } from '../../processors/nats';
import { defineService } from '../../sdk';

export const NATS_CONNECTION = 'nats-connection';

export interface NatsConnectionService {
  /** The shared connection: subscribe, publish, jetstream(), jetstreamManager(); never close or drain it. */
  readonly connection: NatsConnection;
  /** The servers without credentials, for messages. */
  readonly servers: string;
}

export interface NatsConnectionConfig {
  url: string;
  username: string;
  password: string;
  token: string;
  tls: boolean;
}

/** The servers as written, without user-info (nats://host:port). */
export function redactedServers(url: string): string {
  return url
    .split(',')
    .map((s) => s.trim().replace(/\/\/[^@/]*@/, '//'))
    .join(',');
}

export function natsOptions(config: NatsConnectionConfig, name: string): ConnectionOptions {
  const servers = resolveSetting(config.url, 'url')
    .split(',')
    .map((s) => s.trim());
  const user = resolveSetting(config.username, 'username');
  const pass = resolveSetting(config.password, 'password');
  const token = resolveSetting(config.token, 'token');
  return {
    servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    ...(user !== '' ? { user, pass } : {}),
    ...(token !== '' ? { token } : {}),
    ...(config.tls ? { tls: {} } : {}),
  };
}

export default defineService({
  type: 'NATSConnection',
  description:
    'One connection to NATS, shared by every ConsumeNATS and PublishNATS that references it (core and JetStream); it reconnects by itself.',
  provides: [NATS_CONNECTION],
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      url: natsProperties.url,
      username: {
        type: 'string',
        default: '',
        description: `User name (empty = none or the URL's); \${NAME} references allowed.`,
      },
      password: secretProperty('Password of the user.'),
      token: secretProperty('Authentication token, instead of a user and password.'),
      tls: { type: 'boolean', default: false, description: 'Require TLS (system CAs; tls:// URLs use it anyway).' },
    },
  },
  validate(config) {
    const issues = [...checkNatsUrl(config.url), ...checkReferences('/username', config.username)];
    if (config.token !== '' && config.username !== '')
      issues.push({ path: '/token', message: 'use a token or a user name and password, not both' });
    if (config.password !== '' && config.username === '')
      issues.push({ path: '/username', message: 'a password needs a user name' });
    return issues;
  },
  async enable(config, ctx): Promise<NatsConnectionService> {
    const options = natsOptions(config, `sluice ${ctx.flowId}/service ${ctx.serviceId}`);
    const servers = redactedServers((options.servers as string[]).join(','));
    let connection: NatsConnection;
    try {
      connection = await connect(options);
    } catch (err) {
      throw new Error(`cannot connect to ${servers}: ${(err as Error).message}`);
    }
    return { connection, servers };
  },
  async disable(instance) {
    await instance.connection.drain().catch(() => instance.connection.close());
  },
});
