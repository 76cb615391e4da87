/** The rule every processor that opens its own port follows: loopback only, unless the server has a token. */
import type { ConfigIssue, ValidationContext } from '../engine/contract';

/** Loopback interfaces: binding anything else needs a token. */
export function isLoopback(host: string): boolean {
  const name = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}

/**
 * An issue at `configPath` when a listener would bind `host` beyond this machine on a server without a token
 * (anyone on the network could then feed the flow, and nothing asks them who they are).
 */
export function checkListenerHost(
  host: string,
  configPath: string,
  ctx: Pick<ValidationContext, 'authenticated'>,
): ConfigIssue[] {
  if (isLoopback(host) || ctx.authenticated) return [];
  return [
    {
      path: configPath,
      message: `binding "${host}" opens this listener beyond this machine; the server runs without a token, so use 127.0.0.1 (or start the server with --token)`,
    },
  ];
}
