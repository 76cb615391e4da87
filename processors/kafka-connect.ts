/**
 * The connection settings ConsumeKafka and PublishKafka share, and the kafkajs client built from them.
 * Not run against a Kafka broker on the machine these were built on (none can be installed there).
 */
import kafkajs, { type Kafka, type KafkaConfig } from 'kafkajs';
import type { ConfigIssue, ProcessorLogger } from '../sdk';
import { checkReferences, resolveSetting, secretProperty } from './connection-settings';

export const kafkaConnectionProperties = {
  brokers: {
    type: 'array',
    minItems: 1,
    items: { type: 'string', minLength: 1 },
    default: ['localhost:9092'],
    description: `Bootstrap brokers as host:port; \${NAME} references are read from the environment at start.`,
  },
  clientId: { type: 'string', default: 'sluice', description: 'Client id the brokers see in their logs and quotas.' },
  ssl: { type: 'boolean', default: false, description: 'Connect with TLS (system CAs).' },
  saslMechanism: {
    type: 'string',
    enum: ['none', 'plain', 'scram-sha-256', 'scram-sha-512'],
    default: 'none',
    description: 'SASL authentication mechanism.',
  },
  saslUsername: { type: 'string', default: '', description: `SASL user name; \${NAME} references allowed.` },
  saslPassword: secretProperty('SASL password.'),
  connectionTimeout: {
    type: 'integer',
    minimum: 100,
    default: 3000,
    description: 'Milliseconds to wait for a TCP connection to a broker.',
  },
  retries: {
    type: 'integer',
    minimum: 0,
    maximum: 100,
    default: 5,
    description: 'Retries (with exponential backoff) of a failed request or connection before giving up.',
  },
} as const;

export interface KafkaConnectionConfig {
  brokers: string[];
  clientId: string;
  ssl: boolean;
  saslMechanism: string;
  saslUsername: string;
  saslPassword: string;
  connectionTimeout: number;
  retries: number;
}

// kafkajs is CommonJS: under Node's ESM loader only its default export is visible.
const { logLevel } = kafkajs;

const HOST_PORT = /^[^\s:/]+:\d{1,5}$/;

export function checkKafkaConnection(config: KafkaConnectionConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  config.brokers.forEach((b, i) => {
    const refs = checkReferences(`/brokers/${i}`, b);
    issues.push(...refs);
    if (refs.length === 0 && !b.includes('${') && !HOST_PORT.test(b))
      issues.push({ path: `/brokers/${i}`, message: `expected host:port, got "${b}"` });
  });
  // saslPassword is "x-sensitive": the validator checks it is a reference.
  issues.push(...checkReferences('/saslUsername', config.saslUsername));
  if (config.saslMechanism !== 'none' && config.saslUsername === '')
    issues.push({ path: '/saslUsername', message: `SASL ${config.saslMechanism} needs a user name` });
  return issues;
}

/** kafkajs's log lines go to the processor's logger (kafkajs logs a lot at info: only warnings and errors). */
function logCreator(logger: ProcessorLogger) {
  return () =>
    ({ level, log }: { level: number; log: { message: string } & Record<string, unknown> }) => {
      const { message, ...rest } = log;
      if (level === logLevel.ERROR) logger.error(rest, `kafka: ${message}`);
      else if (level === logLevel.WARN) logger.warn(rest, `kafka: ${message}`);
    };
}

export function kafkaClientConfig(config: KafkaConnectionConfig, logger: ProcessorLogger): KafkaConfig {
  const brokers = config.brokers.map((b, i) => resolveSetting(b, `brokers/${i}`));
  const kafka: KafkaConfig = {
    brokers,
    clientId: config.clientId,
    ssl: config.ssl,
    connectionTimeout: config.connectionTimeout,
    retry: { retries: config.retries },
    logLevel: logLevel.WARN,
    logCreator: logCreator(logger),
  };
  if (config.saslMechanism !== 'none') {
    const username = resolveSetting(config.saslUsername, 'saslUsername');
    const password = resolveSetting(config.saslPassword, 'saslPassword');
    kafka.sasl = { mechanism: config.saslMechanism, username, password } as KafkaConfig['sasl'];
  }
  return kafka;
}

export function createKafka(config: KafkaConnectionConfig, logger: ProcessorLogger): Kafka {
  return new kafkajs.Kafka(kafkaClientConfig(config, logger));
}

/** The brokers for errors and provenance, e.g. kafka://b1:9092,b2:9092. */
export function kafkaUri(brokers: readonly string[]): string {
  return `kafka://${brokers.join(',')}`;
}
