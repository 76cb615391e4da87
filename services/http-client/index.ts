/**
 * HttpClient: one undici connection pool (an `Agent`) with TLS settings, shared by every processor that
 * references it (InvokeHTTP's `client`): keep-alive connections are reused across those processors, the pool
 * size holds per origin for all of them together, and TLS (a private CA, a client certificate) is set once.
 */
import { X509Certificate } from 'node:crypto';
import { Agent, type Dispatcher, fetch as undiciFetch } from 'undici';
import { resolveSetting, secretProperty } from '../../processors/connection-settings';
import { type ConfigIssue, defineService, durationPattern, parseDuration } from '../../sdk';

/** The kind a processor property asks for: `serviceReference(HTTP_CLIENT, ...)`. */
export const HTTP_CLIENT = 'http-client';

/** What an enabled HttpClient hands to the processors that reference it. */
export interface HttpClientService {
  /** The pool itself (undici), for callers that use undici directly. */
  readonly dispatcher: Dispatcher;
  /** `fetch` through the pool (undici's fetch: the WHATWG API, as the global one). */
  fetch(input: string | URL, init?: RequestInit): Promise<Response>;
}

const duration = (description: string, fallback: string) =>
  ({ type: 'string', pattern: durationPattern, default: fallback, description }) as const;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** A PEM string of certificates: each must parse. */
function certificateIssues(path: string, pem: string): ConfigIssue[] {
  if (pem === '') return [];
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) return [{ path, message: 'must be PEM: one or more "-----BEGIN CERTIFICATE-----" blocks' }];
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (err) {
      return [{ path, message: `certificate ${i + 1} of ${blocks.length} does not parse: ${(err as Error).message}` }];
    }
  }
  return [];
}

export default defineService({
  type: 'HttpClient',
  description:
    'An HTTP(S) connection pool (keep-alive, connections per origin, timeouts) with TLS settings (trusted CA, client certificate), shared by the processors that reference it (InvokeHTTP).',
  provides: [HTTP_CLIENT],
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      connections: {
        type: 'integer',
        minimum: 1,
        maximum: 1024,
        default: 10,
        description:
          'Most TCP connections per origin (scheme, host and port), for all processors using this client together.',
      },
      keepAliveTimeout: duration('How long an idle connection is kept open for the next request.', '4s'),
      connectTimeout: duration('Longest wait for a TCP connection and TLS handshake.', '10s'),
      headersTimeout: duration("Longest wait for a response's headers once the request was sent.", '5m'),
      bodyTimeout: duration('Longest pause between two chunks of a response body.', '5m'),
      authorization: secretProperty(
        'Authorization header sent with every request through this client, e.g. "Bearer <token>" or "Basic <base64>"; "" = none. A request that sets its own Authorization header keeps it.',
      ),
      tls: {
        type: 'object',
        additionalProperties: false,
        default: {},
        description: 'TLS settings for https:// origins.',
        properties: {
          ca: {
            type: 'string',
            default: '',
            description:
              'PEM certificates of the authorities to trust instead of the built-in ones (a private CA); "" = the built-in ones. A parameter reference (#{ca.pem}) keeps it out of the flow.',
          },
          cert: {
            type: 'string',
            default: '',
            description: 'PEM client certificate (mutual TLS), with its chain; needs "key".',
          },
          key: secretProperty('PEM private key of the client certificate.'),
          rejectUnauthorized: {
            type: 'boolean',
            default: true,
            description: 'Refuse servers whose certificate does not verify. Turn off only for tests: it trusts anyone.',
          },
        },
      },
    },
  },
  validate: (config) => {
    const issues = [...certificateIssues('/tls/ca', config.tls.ca), ...certificateIssues('/tls/cert', config.tls.cert)];
    if ((config.tls.cert === '') !== (config.tls.key === ''))
      issues.push({
        path: config.tls.cert === '' ? '/tls/cert' : '/tls/key',
        message: 'a client certificate needs both "cert" and "key"',
      });
    return issues;
  },
  enable(config): HttpClientService {
    const { ca, cert, key, rejectUnauthorized } = config.tls;
    const agent = new Agent({
      connections: config.connections,
      pipelining: 1,
      keepAliveTimeout: parseDuration(config.keepAliveTimeout),
      headersTimeout: parseDuration(config.headersTimeout),
      bodyTimeout: parseDuration(config.bodyTimeout),
      connect: {
        timeout: parseDuration(config.connectTimeout),
        rejectUnauthorized,
        ...(ca !== '' && { ca }),
        ...(cert !== '' && { cert }),
        ...(key !== '' && { key: resolveSetting(key, 'tls.key') }),
      },
    });
    const authorization = config.authorization === '' ? '' : resolveSetting(config.authorization, 'authorization');
    return {
      dispatcher: agent,
      fetch: (input, init) => {
        const headers = new Headers(init?.headers);
        if (authorization !== '' && !headers.has('authorization')) headers.set('authorization', authorization);
        return undiciFetch(input, {
          ...(init as object),
          headers,
          dispatcher: agent,
        }) as unknown as Promise<Response>;
      },
    };
  },
  async disable(instance) {
    await (instance.dispatcher as Agent).close();
  },
});
