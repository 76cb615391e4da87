/** What ConsumeNATS and PublishNATS share: connection settings, JetStream streams, headers ⇄ attributes. */
import { connect, headers, type JetStreamManager, type MsgHdrs, type NatsConnection } from 'nats';
import type { Attributes, ConfigIssue } from '../sdk';
import { checkUrlCredentials } from './connection-settings';

export const natsProperties = {
  url: {
    type: 'string',
    minLength: 1,
    default: 'nats://127.0.0.1:4222',
    description:
      'NATS server URL(s), comma-separated; credentials may go in the URL with the password as a sensitive parameter (nats://user:#{nats.password}@host:4222).',
  },
  mode: {
    enum: ['core', 'jetstream'],
    default: 'core',
    description: 'core: plain NATS subjects (at most once); jetstream: a stream with acknowledgements (at least once).',
  },
  stream: {
    type: 'string',
    pattern: '^[^.*>\\s]*$',
    default: '',
    description: 'jetstream: the stream name.',
  },
  createStream: {
    type: 'boolean',
    default: false,
    description: 'jetstream: create the stream (capturing the subject) if it does not exist.',
  },
} as const;

/** A password in a server URL must be a reference (a sensitive parameter), never plain text. */
export function checkNatsUrl(url: string, path = '/url'): ConfigIssue[] {
  return url.split(',').flatMap((part) => checkUrlCredentials(path, part.trim()));
}

/** JetStream mode needs a stream (and, for consumers, a durable name). */
export function checkJetStreamConfig(
  config: { mode: string; stream: string; durable?: string },
  needsDurable: boolean,
): ConfigIssue[] {
  if (config.mode !== 'jetstream') return [];
  const issues: ConfigIssue[] = [];
  if (!config.stream) issues.push({ path: '/stream', message: 'is required in jetstream mode' });
  if (needsDurable && !config.durable) issues.push({ path: '/durable', message: 'is required in jetstream mode' });
  return issues;
}

export function connectNats(url: string, name: string): Promise<NatsConnection> {
  return connect({
    servers: url.split(',').map((s) => s.trim()),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  });
}

/** Makes sure the stream exists, creating it for the subject when allowed. */
export async function ensureStream(jsm: JetStreamManager, stream: string, subject: string, create: boolean) {
  try {
    await jsm.streams.info(stream);
  } catch (err) {
    if (!create || !/stream not found/i.test((err as Error).message))
      throw new Error(`JetStream stream "${stream}": ${(err as Error).message}`);
    await jsm.streams.add({ name: stream, subjects: [subject] });
  }
}

/** Each header becomes an attribute of the same name (several values joined with ", "). */
export function headersToAttributes(h: MsgHdrs | undefined): Attributes {
  const attributes: Attributes = {};
  if (!h) return attributes;
  for (const [key, values] of h) attributes[key] = values.join(', ');
  return attributes;
}

const HEADER_NAME = /^[!-9;-~]+$/;

/**
 * Attributes whose names match become headers. Names NATS cannot carry (spaces, ":") and values with line
 * breaks are left out and listed in `skipped`.
 */
export function attributesToHeaders(
  attributes: Readonly<Attributes>,
  match: RegExp | undefined,
): { headers: MsgHdrs | undefined; skipped: string[] } {
  if (!match) return { headers: undefined, skipped: [] };
  const h = headers();
  const skipped: string[] = [];
  let any = false;
  for (const [name, value] of Object.entries(attributes)) {
    if (!match.test(name)) continue;
    if (!HEADER_NAME.test(name) || /[\r\n]/.test(value)) {
      skipped.push(name);
      continue;
    }
    h.set(name, value);
    any = true;
  }
  return { headers: any ? h : undefined, skipped };
}

/** A printable location for provenance: nats://host:port/subject. */
export function transitUri(nc: NatsConnection, subject: string): string {
  return `nats://${nc.getServer()}/${subject}`;
}
