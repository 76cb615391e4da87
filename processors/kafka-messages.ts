/** Kafka records ⇄ FlowFiles: keys, headers and record metadata as attributes, and back. */
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { Attributes, FlowFile } from '../sdk';
import { attributesToHeaders, headerValueText } from './message-headers';

/** The attributes of a consumed record: topic, partition, offset, key, timestamp and each header. */
export function recordAttributes(
  topic: string,
  partition: number,
  message: KafkaMessage,
  headerPrefix: string,
): Attributes {
  const out: Attributes = {
    'kafka.topic': topic,
    'kafka.partition': String(partition),
    'kafka.offset': message.offset,
    'kafka.timestamp': message.timestamp,
  };
  if (message.key !== null && message.key !== undefined) out['kafka.key'] = message.key.toString('utf8');
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    // A header may repeat: kafkajs then gives an array of values, kept as JSON.
    out[`${headerPrefix}${name}`] = Array.isArray(value)
      ? JSON.stringify(value.map((v) => headerValueText(v)))
      : headerValueText(value);
  }
  return out;
}

/** The record for a FlowFile: its content, an optional key, and headers from attributes. */
export function recordOf(
  ff: FlowFile,
  key: string | undefined,
  headerPrefix: string,
  headerPattern: RegExp | undefined,
): Message {
  const headers: IHeaders = attributesToHeaders(ff.attributes, headerPrefix, headerPattern);
  return {
    value: ff.content,
    ...(key !== undefined && key !== '' ? { key } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
  };
}

/** The offset to commit after a record: the next one to read. */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}
