/** The endpoint settings ListenZeroMQ and PublishZeroMQ share. */
import { type ConfigIssue, checkListenerHost, type ValidationContext } from '../sdk';
import { checkReferences, resolveSetting } from './connection-settings';

export function endpointProperties(mode: 'bind' | 'connect') {
  return {
    endpoint: {
      type: 'string',
      minLength: 1,
      default: 'tcp://127.0.0.1:5555',
      description: `ZeroMQ endpoint: tcp://host:port, ipc:///path or inproc://name. \${NAME} references are read from the environment at start.`,
    },
    mode: {
      type: 'string',
      enum: ['bind', 'connect'],
      default: mode,
      description: 'Bind the endpoint (this side listens) or connect to a peer that binds it.',
    },
  } as const;
}

const ENDPOINT = /^(tcp:\/\/[^:/]+:(\d+|\*)|ipc:\/\/.+|inproc:\/\/.+)$/;

export function checkEndpoint(endpoint: string): ConfigIssue[] {
  const refs = checkReferences('/endpoint', endpoint);
  if (refs.length > 0 || endpoint.includes('${')) return refs;
  if (!ENDPOINT.test(endpoint))
    return [{ path: '/endpoint', message: 'expected tcp://host:port, ipc:///path or inproc://name' }];
  return [];
}

/** A bound TCP endpoint is a listener: loopback only unless the server runs with a token (`*` is every interface). */
export function checkBindHost(endpoint: string, mode: string, ctx: ValidationContext): ConfigIssue[] {
  const host = /^tcp:\/\/([^:/]+|\[[^\]]+\]):/.exec(endpoint)?.[1];
  if (mode !== 'bind' || host === undefined) return [];
  return checkListenerHost(host === '*' ? '0.0.0.0' : host, '/endpoint', ctx);
}

export function resolveEndpoint(endpoint: string): string {
  const resolved = resolveSetting(endpoint, 'endpoint');
  if (!ENDPOINT.test(resolved))
    throw new Error(`"endpoint" resolved to "${resolved}": expected tcp://host:port, ipc:///path or inproc://name`);
  return resolved;
}
