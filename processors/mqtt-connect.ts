/** The connection settings ConsumeMQTT and PublishMQTT share, and how they connect with them. */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { ConfigIssue } from '../sdk';
import { checkReferences, checkUrlAndLogin, resolveSetting, secretProperty } from './connection-settings';

export const mqttConnectionProperties = {
  url: {
    type: 'string',
    minLength: 1,
    default: 'mqtt://localhost:1883',
    description: `Broker URL: mqtt://, mqtts://, ws:// or wss://. \${NAME} and \${NAME:-default} are read from the environment at start.`,
  },
  username: { type: 'string', default: '', description: `User name (empty = none); \${NAME} references allowed.` },
  password: secretProperty('Password.'),
  clientId: {
    type: 'string',
    default: '',
    description:
      'MQTT client id; empty = "sluice-<flow>-<processor>", stable across restarts so a durable session is found again.',
  },
  protocolVersion: {
    type: 'integer',
    enum: [4, 5],
    default: 5,
    description: '5 = MQTT 5 (user properties, receive maximum, reason codes); 4 = MQTT 3.1.1.',
  },
  keepaliveSeconds: {
    type: 'integer',
    minimum: 0,
    maximum: 65535,
    default: 30,
    description: 'Keep-alive interval; a dead connection is noticed after about 1.5 times this.',
  },
} as const;

export interface MqttConnectionConfig {
  url: string;
  username: string;
  password: string;
  clientId: string;
  protocolVersion: number;
  keepaliveSeconds: number;
}

export function checkMqttConnection(config: MqttConnectionConfig): ConfigIssue[] {
  return [...checkUrlAndLogin(config), ...checkReferences('/clientId', config.clientId)];
}

export function redactedMqttUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

export interface ResolvedMqtt {
  url: string;
  options: IClientOptions;
}

export function resolveMqtt(
  config: MqttConnectionConfig,
  ids: { flowId: string; processorId: string },
  extra: IClientOptions,
): ResolvedMqtt {
  const url = resolveSetting(config.url, 'url');
  if (!/^(mqtts?|wss?):\/\//.test(url)) throw new Error(`"url" must start with mqtt://, mqtts://, ws:// or wss://`);
  const username = resolveSetting(config.username, 'username');
  const password = resolveSetting(config.password, 'password');
  const clientId = resolveSetting(config.clientId, 'clientId') || `sluice-${ids.flowId}-${ids.processorId}`;
  return {
    url,
    options: {
      clientId,
      protocolVersion: config.protocolVersion as 4 | 5,
      keepalive: config.keepaliveSeconds,
      connectTimeout: 10_000,
      reconnectPeriod: 1000,
      ...(username !== '' ? { username } : {}),
      ...(password !== '' ? { password } : {}),
      ...extra,
    },
  };
}

/**
 * Connects once (the client then reconnects by itself); the error names the broker, never the password.
 * `prepare` runs before the connection opens, so listeners see messages a durable session delivers at once.
 */
export async function connectMqtt(resolved: ResolvedMqtt, prepare?: (client: MqttClient) => void): Promise<MqttClient> {
  const client = mqtt.connect(resolved.url, { ...resolved.options, manualConnect: true });
  prepare?.(client);
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        cleanup();
        reject(err);
      };
      const ok = () => {
        cleanup();
        resolve();
      };
      const cleanup = () => {
        client.off('connect', ok);
        client.off('error', fail);
        clearTimeout(timer);
      };
      // A refused TCP connection makes mqtt.js retry quietly; give up after the connect timeout.
      const timer = setTimeout(
        () => fail(new Error('no CONNACK within 10 s (broker down or not MQTT)')),
        resolved.options.connectTimeout,
      );
      client.once('connect', ok);
      client.once('error', fail);
      client.connect();
    });
  } catch (err) {
    client.end(true);
    throw new Error(`cannot connect to ${redactedMqttUrl(resolved.url)}: ${(err as Error).message}`);
  }
  return client;
}
