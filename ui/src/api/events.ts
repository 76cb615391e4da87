/**
 * The server's live status stream (Server-Sent Events): a status message per flow on connect, then one per
 * running flow every second, and a `flow` message whenever a flow is created, changed, started or stopped.
 */
import { eventStreamUrl } from './client';
import type { FlowChange, FlowStatus, StreamEvent } from './types';

export interface EventHandlers {
  onStatus(status: FlowStatus): void;
  onFlowChange(change: FlowChange): void;
  onConnectionChange(live: boolean): void;
}

/** Connects (EventSource reconnects by itself); returns a function that closes the stream. */
export function subscribeToEvents(handlers: EventHandlers): () => void {
  let source: EventSource | undefined;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const open = () => {
    source = new EventSource(eventStreamUrl());
    source.onopen = () => handlers.onConnectionChange(true);
    source.onmessage = (message) => {
      let event: StreamEvent;
      try {
        event = JSON.parse(message.data as string) as StreamEvent;
      } catch {
        return;
      }
      if (event.type === 'status' && event.status) handlers.onStatus({ ...event.status, flowId: event.flowId });
      else if (event.type === 'flow') handlers.onFlowChange({ flowId: event.flowId, action: event.action });
    };
    source.onerror = () => {
      handlers.onConnectionChange(false);
      // A stream the browser gave up on (e.g. a 401 before the token was given) is reopened with the current token.
      if (source?.readyState === EventSource.CLOSED && !closed) retry = setTimeout(open, 2000);
    };
  };
  open();
  return () => {
    closed = true;
    clearTimeout(retry);
    source?.close();
  };
}
