/**
 * The server's live status stream (Server-Sent Events): the status of the flow the canvas shows (`?statusOf=`;
 * on connect, then each second while it changes), a `flow` message whenever any flow is created, changed,
 * started or stopped, and a heartbeat every couple of seconds, so silence can be told from an idle flow.
 */
import { eventStreamUrl } from './client';
import type { FlowChange, FlowStatus, StreamEvent } from './types';

/** How often the handlers are asked to look for silence (`onSilenceCheck`). */
const SILENCE_CHECK_MS = 500;

export interface EventHandlers {
  onStatus(status: FlowStatus): void;
  onFlowChange(change: FlowChange): void;
  /** The stream opened (true) or failed (false; the browser retries). */
  onConnectionChange(live: boolean): void;
  /** Any message arrived; `heartbeatMs` is the server's heartbeat interval when it was a heartbeat. */
  onMessage(heartbeatMs?: number): void;
  /** Called every half second, so that a stream that went quiet is noticed. */
  onSilenceCheck(): void;
}

export interface EventSubscription {
  /** Streams the status of this flow (the one the canvas shows); reconnects when it is another one. */
  follow(flowId: string | undefined): void;
  close(): void;
}

function streamUrl(flowId: string | undefined): string {
  const url = eventStreamUrl();
  return flowId === undefined ? url : `${url}${url.includes('?') ? '&' : '?'}statusOf=${encodeURIComponent(flowId)}`;
}

/** Connects (EventSource reconnects by itself); `flowId` is the flow whose status is wanted (all when absent). */
export function subscribeToEvents(handlers: EventHandlers, flowId?: string): EventSubscription {
  let source: EventSource | undefined;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let following = flowId;

  const open = () => {
    const current = new EventSource(streamUrl(following));
    source = current;
    current.onopen = () => handlers.onConnectionChange(true);
    current.onmessage = (message) => {
      let event: StreamEvent;
      try {
        event = JSON.parse(message.data as string) as StreamEvent;
      } catch {
        return;
      }
      handlers.onMessage(event.type === 'heartbeat' ? event.intervalMs : undefined);
      if (event.type === 'status' && event.status) handlers.onStatus({ ...event.status, flowId: event.flowId });
      else if (event.type === 'flow') handlers.onFlowChange({ flowId: event.flowId, action: event.action });
    };
    current.onerror = () => {
      handlers.onConnectionChange(false);
      // A stream the browser gave up on (e.g. a 401 before the token was given) is reopened with the current token.
      if (current.readyState === EventSource.CLOSED && !closed && source === current) retry = setTimeout(open, 2000);
    };
  };
  const reopen = () => {
    clearTimeout(retry);
    source?.close();
    open();
  };
  const silence = setInterval(() => handlers.onSilenceCheck(), SILENCE_CHECK_MS);
  open();
  return {
    follow(id) {
      if (id === following || closed) return;
      following = id;
      reopen();
    },
    close() {
      closed = true;
      clearTimeout(retry);
      clearInterval(silence);
      source?.close();
    },
  };
}
