/**
 * Message headers ⇄ FlowFile attributes, the same way for every broker: a received header `h` becomes the
 * attribute `<prefix>h`; on publish, attributes starting with the prefix become headers without it, and
 * attributes matched by an optional regex are sent under their own name.
 */
import type { Attributes, ConfigIssue } from '../sdk';
import { compileRegex, regexProblem } from './bounded/regex';

/** The consume side: where received headers go. */
export function consumerHeaderProperties(prefix: string) {
  return {
    headerPrefix: {
      type: 'string',
      default: prefix,
      description: 'Each received header becomes an attribute named this prefix + the header name.',
    },
  } as const;
}

/** The publish side: which attributes become headers. */
export function headerProperties(prefix: string) {
  return {
    headerPrefix: {
      type: 'string',
      default: prefix,
      description: 'Attributes with this prefix are sent as headers named without it (what the consumer made of them).',
    },
    headerAttributes: {
      type: 'string',
      default: '',
      description:
        'A regular expression: other attributes whose name it matches are also sent as headers under their own name (empty = none).',
    },
  } as const;
}

export function headerValueText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function headersToAttributes(
  headers: Readonly<Record<string, unknown>> | undefined,
  prefix: string,
): Attributes {
  const out: Attributes = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    // MQTT 5 user properties may repeat a name: the values arrive as an array, kept as JSON.
    out[`${prefix}${name}`] = headerValueText(value);
  }
  return out;
}

export function attributesToHeaders(
  attributes: Readonly<Attributes>,
  prefix: string,
  extra: RegExp | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (prefix !== '' && name.startsWith(prefix) && name.length > prefix.length) out[name.slice(prefix.length)] = value;
    else if (extra?.test(name)) out[name] = value;
  }
  return out;
}

/** The header regex on RE2 (linear time); undefined for "". */
export function compileHeaderPattern(source: string): RegExp | undefined {
  return source === '' ? undefined : compileRegex(source);
}

export function checkHeaderPattern(path: string, source: string): ConfigIssue[] {
  const message = source === '' ? undefined : regexProblem(source);
  return message === undefined ? [] : [{ path, message }];
}
