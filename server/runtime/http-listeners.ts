/**
 * ListenHTTP processors mounted under the Sluice server: each registers a handler by processor id, and the
 * server's `/listen/:processorId` route hands the request over with `dispatchHttpListener`. A module-level
 * registry, so the engine never imports the web server and the web server never imports a processor.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type HttpListenerHandler = (req: IncomingMessage, res: ServerResponse) => void;

const listeners = new Map<string, HttpListenerHandler>();

/** Claims `/listen/<processorId>`; throws when another running processor holds it. */
export function registerHttpListener(processorId: string, handler: HttpListenerHandler): void {
  if (listeners.has(processorId))
    throw new Error(`/listen/${processorId} is already served by another running ListenHTTP processor`);
  listeners.set(processorId, handler);
}

/** Releases the id (only the handler that holds it, when given). */
export function unregisterHttpListener(processorId: string, handler?: HttpListenerHandler): void {
  if (handler && listeners.get(processorId) !== handler) return;
  listeners.delete(processorId);
}

/**
 * `ctx.mountHttp` (SetupContext): claims `/listen/<processorId>` for `handler`; `unmount` releases it (only while
 * this handler holds it, so a late unmount never drops a successor's mount).
 */
export function mountHttpListener(
  processorId: string,
  handler: HttpListenerHandler,
): { path: string; unmount(): void } {
  registerHttpListener(processorId, handler);
  return {
    path: `/listen/${encodeURIComponent(processorId)}`,
    unmount: () => unregisterHttpListener(processorId, handler),
  };
}

/** Hands a request to the listener of that processor; false when none is registered (answer 404). */
export function dispatchHttpListener(processorId: string, req: IncomingMessage, res: ServerResponse): boolean {
  const handler = listeners.get(processorId);
  if (!handler) return false;
  handler(req, res);
  return true;
}

/** Ids with a registered listener. */
export function httpListenerIds(): string[] {
  return [...listeners.keys()];
}
